# throughput.gp - bench/throughput.png: the data plane of make bench, GB/s
# against the chunk size, through a segment, a socketpair and a pipe.
#   gnuplot -e "csv='bench/results.csv'; png='bench/throughput.png'" \
#       bench/throughput.gp

if (!exists("csv")) csv = 'bench/results.csv'
if (!exists("png")) png = 'bench/throughput.png'

if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {
	set terminal pngcairo size 800,500
} else {
	set terminal png size 800,500
}
set output png
set datafile separator ','
set title '1 GiB from one process to another'
set xlabel 'chunk size, KiB'
set ylabel 'GB/s'
set logscale x 2
set xrange [48:5600]
set xtics (64, 256, 1024, 4096)
set yrange [0:*]
set key top left
set grid

# The rows of one transport.  Rows left out with NaN would break its line,
# and filters within gnuplot differ from version to version: grep.
rows(what) = sprintf("< grep '^data,%s,' '%s'", what, csv)

plot rows('sharedmem') using ($3 / 1024):4 with linespoints lw 2 \
	title 'sharedmem, double buffer', \
     rows('socketpair') using ($3 / 1024):4 with linespoints lw 2 \
	title 'socketpair', \
     rows('pipe') using ($3 / 1024):4 with linespoints lw 2 title 'pipe'

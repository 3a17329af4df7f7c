/*
 * process2_float64.c - attaches the segment that process1_float64 made,
 * puts the doubles 2.5, 3.5 and 4.5 at bytes 9, 18 and 27, and prints the
 * doubles at bytes 0, 9, 18 and 27 every round; leaves the segment when
 * it stops.
 */
#include <config.h>

#include "demo.h"

static const struct demo_program program = {
	"process2_float64", "process1_float64",
	"Attaches the segment NAME and puts the doubles 2.5, 3.5 and 4.5 at\n"
	"its bytes 9, 18 and 27; prints the doubles at bytes 0, 9, 18 and 27\n"
	"each round.  Leaves the segment to process1_float64 when it stops."
};

int
main(int argc, char **argv)
{
	struct demo d;

	demo_start(&d, &program, argc, argv);
	while (demo_next(&d)) {
		demo_put_float64(&d, 9, 2.5);
		demo_put_float64(&d, 18, 3.5);
		demo_put_float64(&d, 27, 4.5);
		demo_print_float64(&d);
	}
	return demo_finish(&d);
}

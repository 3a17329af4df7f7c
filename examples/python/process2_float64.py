#!/usr/bin/env python3
"""process2_float64.py - attaches the segment that process1_float64 made
(in C or in Python), puts the doubles 2.5, 3.5 and 4.5 at bytes 9, 18
and 27, and prints the doubles at bytes 0, 9, 18 and 27 every round;
leaves the segment when it stops.  The Python twin of
examples/process2_float64."""

import demo


def one_round(d):
    d.put_float64(9, 2.5)
    d.put_float64(18, 3.5)
    d.put_float64(27, 4.5)
    d.print_float64()


demo.run('process2_float64.py', 'process1_float64.py',
         'Attaches the segment NAME and puts the doubles 2.5, 3.5 and 4.5 at\n'
         'its bytes 9, 18 and 27; prints the doubles at bytes 0, 9, 18 and 27\n'
         'each round.  Leaves the segment to process1_float64 when it stops.',
         one_round)

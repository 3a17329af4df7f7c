#!/usr/bin/env python3
"""process1_float64.py - creates the segment, puts the double 1.5 at
byte 0, and prints the doubles at bytes 0, 9, 18 and 27 every round;
removes the segment when it stops.  The Python twin of
examples/process1_float64."""

import demo


def one_round(d):
    d.put_float64(0, 1.5)
    d.print_float64()


demo.run('process1_float64.py', None,
         'Creates the segment NAME and puts the double 1.5 at its byte 0;\n'
         'prints the doubles at bytes 0, 9, 18 and 27 each round.  Removes\n'
         'the segment when it stops.',
         one_round)

#!/usr/bin/env python3
"""process1_uint8.py - creates the segment, sets its byte 0 to 1, and
prints bytes 0 to 3 every round; removes the segment when it stops.
The Python twin of examples/process1_uint8."""

import demo


def one_round(d):
    d.buf[0] = 1
    d.print_uint8()


demo.run('process1_uint8.py', None,
         'Creates the segment NAME and sets its byte 0 to 1; prints its\n'
         'bytes 0 to 3 each round.  Removes the segment when it stops.',
         one_round)

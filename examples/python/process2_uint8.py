#!/usr/bin/env python3
"""process2_uint8.py - attaches the segment that process1_uint8 made
(in C or in Python), sets its bytes 1, 2 and 3 to 2, 3 and 4, and prints
bytes 0 to 3 every round; leaves the segment when it stops.  The Python
twin of examples/process2_uint8."""

import demo


def one_round(d):
    d.buf[1] = 2
    d.buf[2] = 3
    d.buf[3] = 4
    d.print_uint8()


demo.run('process2_uint8.py', 'process1_uint8.py',
         'Attaches the segment NAME and sets its bytes 1, 2 and 3 to 2, 3\n'
         'and 4; prints its bytes 0 to 3 each round.  Leaves the segment\n'
         'to process1_uint8 when it stops.',
         one_round)

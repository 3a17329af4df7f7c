/*
 * process2_uint8.c - attaches the segment that process1_uint8 made, sets
 * its bytes 1, 2 and 3 to 2, 3 and 4, and prints bytes 0 to 3 every
 * round; leaves the segment when it stops.
 */
#include <config.h>

#include "demo.h"

static const struct demo_program program = {
	"process2_uint8", "process1_uint8",
	"Attaches the segment NAME and sets its bytes 1, 2 and 3 to 2, 3\n"
	"and 4; prints its bytes 0 to 3 each round.  Leaves the segment\n"
	"to process1_uint8 when it stops."
};

int
main(int argc, char **argv)
{
	struct demo d;

	demo_start(&d, &program, argc, argv);
	while (demo_next(&d)) {
		d.buf[1] = 2;
		d.buf[2] = 3;
		d.buf[3] = 4;
		demo_print_uint8(&d);
	}
	return demo_finish(&d);
}

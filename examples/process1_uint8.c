/*
 * process1_uint8.c - creates the segment, sets its byte 0 to 1, and
 * prints bytes 0 to 3 every round; removes the segment when it stops.
 */
#include <config.h>

#include "demo.h"

static const struct demo_program program = {
	"process1_uint8", NULL,
	"Creates the segment NAME and sets its byte 0 to 1; prints its\n"
	"bytes 0 to 3 each round.  Removes the segment when it stops."
};

int
main(int argc, char **argv)
{
	struct demo d;

	demo_start(&d, &program, argc, argv);
	while (demo_next(&d)) {
		d.buf[0] = 1;
		demo_print_uint8(&d);
	}
	return demo_finish(&d);
}

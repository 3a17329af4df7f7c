/*
 * process1_float64.c - creates the segment, puts the double 1.5 at byte
 * 0, and prints the doubles at bytes 0, 9, 18 and 27 every round; removes
 * the segment when it stops.
 */
#include <config.h>

#include "demo.h"

static const struct demo_program program = {
	"process1_float64", NULL,
	"Creates the segment NAME and puts the double 1.5 at its byte 0;\n"
	"prints the doubles at bytes 0, 9, 18 and 27 each round.  Removes\n"
	"the segment when it stops."
};

int
main(int argc, char **argv)
{
	struct demo d;

	demo_start(&d, &program, argc, argv);
	while (demo_next(&d)) {
		demo_put_float64(&d, 0, 1.5);
		demo_print_float64(&d);
	}
	return demo_finish(&d);
}

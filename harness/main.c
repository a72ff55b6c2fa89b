#include <stdio.h>
#include <string.h>

#include "err.h"
#include "util.h"

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--version")) {
		printf("reval 0.1.0\n");
		return 0;
	}
	diag("no command given; try 'reval --help'");
	return reval_exit_code(R_EUSAGE);
}

/*
 * cmd: the subcommands of the reval binary.  Each takes the arguments after
 * its own name (argv[0] is the subcommand) and returns an error that main
 * turns into the exit code.  main.c holds the table.
 */
#ifndef REVAL_CMD_H
#define REVAL_CMD_H

#include "err.h"

enum reval_err cmd_check_math(int argc, char **argv); /* reval check math ... */
enum reval_err cmd_check_code(int argc, char **argv); /* reval check code ... */

#endif

/*
 * cmdopt: flags of the subcommands whose options are not run settings
 * (report, gate).  Run settings live in config.c's table and end up in
 * config.json; these only steer one command, so each command keeps its own
 * small table of them here and the same code parses them and prints help.
 *
 * Values are borrowed from argv (nothing is copied); a CMDOPT_LIST
 * collects every occurrence into a struct cmdopt_list whose array the
 * caller frees with cmdopt_list_release.
 */
#ifndef REVAL_CMDOPT_H
#define REVAL_CMDOPT_H

#include <stddef.h>

#include "harness/base/err.h"

enum cmdopt_type {
	CMDOPT_STR,    /* const char * */
	CMDOPT_DOUBLE, /* double */
	CMDOPT_LONG,   /* long, at least 0 */
	CMDOPT_LIST,   /* struct cmdopt_list; repeatable, and commas split values when split */
	CMDOPT_FLAG,   /* int set to 1 */
};

struct cmdopt_list {
	const char **v; /* borrowed strings; the array is owned */
	size_t n;
};

struct cmdopt {
	const char *name; /* without the leading "--" */
	enum cmdopt_type type;
	void *dst;
	const char *arg;  /* placeholder for help, NULL for flags */
	const char *help;
	int split;        /* CMDOPT_LIST: split values on commas */
};

/*
 * Parse argv[1..] (argv[0] names the command); arguments that are not
 * flags are collected in *pos (an owned array of borrowed pointers).
 * Errors name the flag and print nothing else.
 */
enum reval_err cmdopt_parse(const struct cmdopt *opts, size_t nopts, const char *cmd, int argc,
			    char **argv, char ***pos, int *npos);
void cmdopt_print_help(const struct cmdopt *opts, size_t nopts);
void cmdopt_list_release(struct cmdopt_list *l);

#endif

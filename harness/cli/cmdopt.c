#include "harness/cli/cmdopt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness/base/util.h"

static void list_add(struct cmdopt_list *l, const char *v)
{
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = v;
}

/* Split "a,b,c" in place: the commas become NULs inside argv, which we own for the run. */
static void list_add_split(struct cmdopt_list *l, char *v)
{
	for (char *p = v;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p)
			list_add(l, p);
		if (!comma)
			break;
		p = comma + 1;
	}
}

static enum reval_err set_value(const struct cmdopt *o, const char *cmd, char *val)
{
	switch (o->type) {
	case CMDOPT_STR:
		*(const char **)o->dst = val;
		return RV_OK;
	case CMDOPT_DOUBLE:
		if (parse_double(val, (double *)o->dst)) {
			diag("'reval %s': --%s wants a number, not '%s'", cmd, o->name, val);
			return RV_EUSAGE;
		}
		return RV_OK;
	case CMDOPT_LONG:
		if (parse_long(val, (long *)o->dst) || *(long *)o->dst < 0) {
			diag("'reval %s': --%s wants a whole number, not '%s'", cmd, o->name, val);
			return RV_EUSAGE;
		}
		return RV_OK;
	case CMDOPT_LIST:
		if (o->split)
			list_add_split(o->dst, val);
		else
			list_add(o->dst, val);
		return RV_OK;
	case CMDOPT_FLAG:
		*(int *)o->dst = 1;
		return RV_OK;
	}
	return RV_EINTERNAL;
}

enum reval_err cmdopt_parse(const struct cmdopt *opts, size_t nopts, const char *cmd, int argc,
			    char **argv, char ***pos, int *npos)
{
	*pos = xcalloc((size_t)argc + 1, sizeof(char *));
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (++i < argc)
				(*pos)[(*npos)++] = argv[i];
			break;
		}
		if (strncmp(a, "--", 2) || !a[2]) {
			(*pos)[(*npos)++] = a;
			continue;
		}
		char *eq = strchr(a, '=');
		size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);
		const struct cmdopt *o = NULL;
		for (size_t k = 0; k < nopts && !o; k++)
			if (strlen(opts[k].name) == len && !strncmp(opts[k].name, a + 2, len))
				o = &opts[k];
		if (!o) {
			diag("unknown option '%.*s' for 'reval %s' (see 'reval help %s')",
			     (int)len + 2, a, cmd, cmd);
			return RV_EUSAGE;
		}
		char *val = eq ? eq + 1 : NULL;
		if (o->type == CMDOPT_FLAG && val) {
			diag("option '--%s' takes no value", o->name);
			return RV_EUSAGE;
		}
		if (o->type != CMDOPT_FLAG && !val) {
			if (i + 1 >= argc) {
				diag("option '--%s' needs a value", o->name);
				return RV_EUSAGE;
			}
			val = argv[++i];
		}
		enum reval_err err = set_value(o, cmd, val);
		if (err)
			return err;
	}
	return RV_OK;
}

void cmdopt_print_help(const struct cmdopt *opts, size_t nopts)
{
	for (size_t i = 0; i < nopts; i++) {
		char left[64];
		if (opts[i].arg)
			snprintf(left, sizeof(left), "--%s %s", opts[i].name, opts[i].arg);
		else
			snprintf(left, sizeof(left), "--%s", opts[i].name);
		printf("  %-30s %s\n", left, opts[i].help);
	}
}

void cmdopt_list_release(struct cmdopt_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

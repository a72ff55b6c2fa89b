/*
 * options: a grader's "grader_options", read from one typed table.
 *
 * Each grader describes its options as a table of struct grader_option
 * (name, type, where the value goes in the grader's own settings struct,
 * default and a line of help) and reads a task's options with
 * grader_options_read.  An unknown key or a value of the wrong type is an
 * error naming the key, so a misspelt option can never be ignored, and
 * every grader reads "true" the same way.  The same tables are listed in
 * the registry (grader_ops.options), so documentation and `reval tasks`
 * print exactly what the code accepts.
 *
 * Ownership: string values are copied (xstrdup) into the settings struct
 * and belong to the grader, which frees them; a string option left unset
 * keeps whatever the caller put there first (its default).
 */
#ifndef REVAL_GRADER_OPTIONS_H
#define REVAL_GRADER_OPTIONS_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "harness/base/util.h"

enum grader_option_type {
	GOPT_BOOL,   /* JSON true/false -> int */
	GOPT_INT,    /* JSON integer within [min, max] -> long */
	GOPT_NUMBER, /* JSON number -> double */
	GOPT_STRING, /* JSON string -> char * (copied) */
	GOPT_ENUM,   /* JSON string, one of choices -> int (its index) */
	GOPT_ANY,    /* any JSON value: read by the grader itself from the options object */
};

struct grader_option {
	const char *name;
	enum grader_option_type type;
	size_t off;		    /* offsetof() in the grader's settings struct; unused for ANY */
	const char *def;	    /* the default, as documentation text */
	const char *values; /* what it takes, as documentation text; NULL: from the type */
	const char *help;	    /* one line */
	long min, max;		    /* GOPT_INT bounds */
	const char *const *choices; /* GOPT_ENUM: NULL-terminated */
};

/*
 * Read opts (NULL or a JSON object) into the struct at settings, key by key
 * per table.  Keys absent from opts leave the struct as it was (set the
 * defaults first).  On an unknown key or a bad value, append one line to
 * err naming the key (and the keys known) and return non-zero.
 */
int grader_options_read(const struct grader_option *table, size_t n, const cJSON *opts,
			void *settings, struct strbuf *err);

/* Free the strings GOPT_STRING options copied into settings. */
void grader_options_release(const struct grader_option *table, size_t n, void *settings);

/* "boolean", "integer", "number", "string", "one of: a, b", "JSON" for documentation. */
void grader_option_type_text(const struct grader_option *o, struct strbuf *out);

/*
 * The table as Markdown: "| option | values | default | meaning |", one row
 * per option (values: the option's own text, else from its type).
 */
void grader_options_markdown(const struct grader_option *table, size_t n, struct strbuf *out);

#endif

/*
 * json: the thin layer over cJSON that the rest of the harness uses.
 *
 * Loading a file strips // and block comments, parses, and on failure
 * prints one diagnostic naming the file and the line of the error.  The
 * getters return borrowed pointers into the cJSON tree.  json_number_text
 * renders a JSON number the way a person writes it (60, not 60.0; 0.5).
 */
#ifndef REVAL_JSON_H
#define REVAL_JSON_H

#include <cjson/cJSON.h>

#include "harness/base/err.h"
#include "harness/base/util.h"

/* Parse a JSON document (comments allowed) from a file; caller frees with cJSON_Delete. */
enum reval_err json_load_file(const char *path, const char *what, cJSON **out);

/*
 * JSON can carry U+0000 as the escape \u0000, which a C string cannot hold:
 * cJSON would end the string there, and whatever followed (the rest of a
 * model's answer) would be lost.  Every parser of outside text reads it as
 * U+FFFD, the replacement character, instead.  json_defuse_nul rewrites each
 * such escape in place to \ufffd (the same length) and returns how many.
 */
size_t json_defuse_nul(char *text, size_t len);

/* Parse len bytes of JSON, \u0000 read as U+FFFD; NULL when malformed. */
cJSON *json_parse_len(const char *text, size_t len);

/* Parse text (\u0000 read as U+FFFD); on error *line gets the 1-based line of the failure. */
cJSON *json_parse_text(const char *text, int *line);

const char *json_str(const cJSON *obj, const char *key);   /* NULL unless a string */
int json_bool(const cJSON *obj, const char *key, int def);
double json_num(const cJSON *obj, const char *key, double def);

/* A scalar as text: strings as they are, numbers as a person writes them, bools, null -> NULL. */
char *json_scalar_text(const cJSON *v);
void json_number_text(double v, char out[32]);

/* Append v to sb as a JSON string literal. */
void json_quote(struct strbuf *sb, const char *v);
void json_quote_n(struct strbuf *sb, const char *v, size_t n);

/* Print compactly and append to sb. */
void json_append(struct strbuf *sb, const cJSON *v);

/* Write a cJSON document atomically, pretty-printed, with a trailing newline. */
enum reval_err json_write_file(const char *path, const cJSON *doc);

#endif

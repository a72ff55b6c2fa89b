/*
 * html_escape: text from run directories and model outputs made inert in
 * HTML.  Everything that reaches the report from outside goes through
 * html_escape: & < > " ' become entities (safe in text and in quoted
 * attributes), bytes that are not valid UTF-8 become U+FFFD and control
 * characters other than tab and newline are dropped, so a model writing
 * </script> or <img onerror=...> is shown as text.
 */
#ifndef REVAL_HTML_ESCAPE_H
#define REVAL_HTML_ESCAPE_H

#include <stddef.h>

#include "harness/base/util.h"

void html_escape(struct strbuf *sb, const char *s);
void html_escape_n(struct strbuf *sb, const char *s, size_t n);

/*
 * s as a JSON string literal (quotes included; null for NULL) that is inert
 * inside a <script type="application/json"> element: < > & are written as
 * \u003c \u003e \u0026, so no "</script" or "<!--" can appear, and bytes
 * that are not UTF-8 become U+FFFD as above.  The page's script reads it
 * with JSON.parse and shows it with textContent, never as markup.
 */
void html_json_string(struct strbuf *sb, const char *s);

#endif

/*
 * The R1 reward rules of docs/rewards.md, one case per line: the built-in
 * format rule, the prompt's prefilled <think>, a --format-pattern, the
 * weights, partial credit, and the response part of an OpenRLHF query.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "harness/serve/reward.h"

static const struct {
	const char *response, *prompt;
	int want;
} format_cases[] = {
	{"<think>reason</think>answer", NULL, 1},
	{"  \n<think>\nreason\n</think>\n\\boxed{4}\n", NULL, 1},
	{"<think></think>x", NULL, 1},                     /* an empty block is still a block */
	{"<think>reason</think>", NULL, 0},                /* no answer */
	{"<think>reason</think>  \n\t", NULL, 0},          /* only whitespace after it */
	{"<think>reason", NULL, 0},                        /* never closed */
	{"answer without a block", NULL, 0},
	{"preamble <think>r</think>a", NULL, 0},           /* the block must come first */
	{"<think>a<think>b</think>c", NULL, 0},            /* nested opening tag */
	{"<think>a</think>b</think>c", NULL, 0},           /* a second closing tag */
	{"<think>a</think>b<think>c</think>d", NULL, 0},   /* two blocks */
	{"reason</think>answer", "Q?<think>\n", 1},        /* the template opened the block */
	{"reason</think>answer", "Q?", 0},
	{"<think>r</think>answer", "Q?<think>\n", 0},      /* opened twice */
	{"reason</think>", "Q?<think>", 0},
};

Test(reward, format_rule_cases)
{
	struct reward_rule r;
	reward_rule_default(&r);
	struct strbuf err = STRBUF_INIT;
	struct reward_ctx *c = reward_ctx_new(&r, &err);
	cr_assert(c, "%s", err.buf);
	for (size_t i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++)
		cr_expect_eq(reward_format(c, format_cases[i].response, format_cases[i].prompt),
			     format_cases[i].want, "case %zu: '%s'", i, format_cases[i].response);
	reward_ctx_free(c);
}

Test(reward, format_pattern_replaces_the_rule)
{
	struct reward_rule r;
	reward_rule_default(&r);
	r.format_pattern = "\\A<reasoning>.*</reasoning>\\s*<answer>.+</answer>\\s*\\z";
	struct strbuf err = STRBUF_INIT;
	struct reward_ctx *c = reward_ctx_new(&r, &err);
	cr_assert(c, "%s", err.buf);
	cr_expect_eq(reward_format(c, "<reasoning>a\nb</reasoning>\n<answer>4</answer>", NULL), 1);
	cr_expect_eq(reward_format(c, "<think>a</think>4", NULL), 0);
	reward_ctx_free(c);
	r.format_pattern = "(unclosed";
	cr_expect_null(reward_ctx_new(&r, &err));
	cr_expect(strstr(err.buf, "unclosed"), "%s", err.buf);
	strbuf_release(&err);
}

static struct reward_out score(const struct reward_rule *r, const struct reward_item *it)
{
	struct strbuf err = STRBUF_INIT;
	struct reward_ctx *c = reward_ctx_new(r, &err);
	cr_assert(c, "%s", err.buf);
	struct reward_out o;
	reward_score(c, it, &o);
	reward_ctx_free(c);
	return o;
}

Test(reward, weights_combine_accuracy_and_format)
{
	struct reward_rule r;
	reward_rule_default(&r);
	r.w_accuracy = 0.75;
	r.w_format = 0.25;
	struct reward_item it = {.response = "<think>2+2</think>\\boxed{4}", .gold = "4", .partial = -1};
	struct reward_out o = score(&r, &it);
	cr_expect_eq(o.accuracy, 1);
	cr_expect_eq(o.format, 1);
	cr_expect_eq(o.reward, 1.0);
	cr_expect_str_eq(o.verdict, "correct");
	reward_out_release(&o);
	it.response = "\\boxed{5}";
	o = score(&r, &it);
	cr_expect_eq(o.reward, 0);
	cr_expect_str_eq(o.verdict, "wrong");
	reward_out_release(&o);
	it.response = "<think>2+2</think>\\boxed{5}";
	o = score(&r, &it);
	cr_expect_eq(o.reward, 0.25);
	reward_out_release(&o);
}

Test(reward, truncated_and_unclosed_score_no_accuracy)
{
	struct reward_rule r;
	reward_rule_default(&r);
	struct reward_item it = {.response = "<think>\\boxed{4}", .gold = "4", .partial = -1};
	struct reward_out o = score(&r, &it);
	cr_expect_eq(o.accuracy, 0);
	cr_expect_str_eq(o.verdict, "no_answer");
	reward_out_release(&o);
	it.response = "<think>x</think>\\boxed{4}";
	it.finish_reason = "length";
	o = score(&r, &it);
	cr_expect_eq(o.accuracy, 0);
	cr_expect_str_eq(o.verdict, "truncated");
	reward_out_release(&o);
}

Test(reward, bad_item_options_are_the_items_error)
{
	struct reward_rule r;
	reward_rule_default(&r);
	cJSON *opts = cJSON_Parse("{\"precision\": \"many\"}");
	struct reward_item it = {.response = "\\boxed{4}", .gold = "4", .options = opts, .partial = -1};
	struct reward_out o = score(&r, &it);
	cr_expect(o.error && strstr(o.error, "precision"), "%s", o.error ? o.error : "(none)");
	cr_expect_eq(o.reward, 0);
	cr_expect_str_eq(o.verdict, "error");
	reward_out_release(&o);
	cJSON_Delete(opts);
	it.options = NULL;
	it.grader = "code";
	o = score(&r, &it);
	cr_expect(o.error && strstr(o.error, "does not grade code"), "%s", o.error ? o.error : "");
	reward_out_release(&o);
}

Test(reward, response_of_a_query)
{
	cr_expect_str_eq(reward_response_of_query("PROMPT answer", "PROMPT "), "answer");
	cr_expect_str_eq(reward_response_of_query("<s>PROMPT answer", "PROMPT "), "answer");
	cr_expect_str_eq(reward_response_of_query("answer only", "PROMPT"), "answer only");
	cr_expect_str_eq(reward_response_of_query("answer", NULL), "answer");
	cr_expect_str_eq(reward_response_of_query("answer", ""), "answer");
}

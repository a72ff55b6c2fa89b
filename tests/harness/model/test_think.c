#include <criterion/criterion.h>
#include <string.h>

#include "harness/model/think.h"

static int sv_is(struct strview v, const char *s)
{
	return v.len == strlen(s) && !memcmp(v.ptr, s, v.len);
}

Test(think, plain_content_has_no_reasoning)
{
	struct think_parts p;
	think_split("The answer is 4.", &p);
	cr_assert(!p.has_reasoning);
	cr_assert(sv_is(p.content, "The answer is 4."));
}

Test(think, closed_block_splits)
{
	struct think_parts p;
	think_split("<think>2+2</think>\nIt is 4.", &p);
	cr_assert(p.has_reasoning && !p.unclosed);
	cr_assert(sv_is(p.reasoning, "2+2"));
	cr_assert(sv_is(p.content, "\nIt is 4."));
}

Test(think, lone_closing_tag_from_prefilled_template)
{
	struct think_parts p;
	think_split("so 2+2=4</think>The answer is 4", &p);
	cr_assert(p.has_reasoning);
	cr_assert(sv_is(p.reasoning, "so 2+2=4"));
	cr_assert(sv_is(p.content, "The answer is 4"));
}

Test(think, unclosed_block_has_no_content)
{
	struct think_parts p;
	think_split("<think>still thinking \\boxed{3}", &p);
	cr_assert(p.unclosed);
	cr_assert_eq(p.content.len, 0);
}

Test(think, last_closing_tag_wins)
{
	struct think_parts p;
	think_split("<think>a</think>b</think>c", &p);
	cr_assert(sv_is(p.content, "c"));
	cr_assert(sv_is(p.reasoning, "a</think>b"));
}

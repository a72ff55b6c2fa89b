/*
 * math_uni: unicode math rewritten as the LaTeX it means, before tokenizing.
 *
 * NFKC is not enough for answers: "√16" is \sqrt{16} (the radical covers the
 * whole digit run), "x⁴⁵" is x^{45}, "a₁₂" is a_{12}, "5½" is the mixed
 * number 5\frac{1}{2}, "1⁄5" is 1/5, every unicode space is a space (so
 * "12 345" with a thin space is one number), every dash and minus is "-",
 * fullwidth forms are ASCII, mathematical alphanumerics (𝑥, 𝜋, 𝟑) are the
 * plain letter, digit or \pi, and ⟨ ⟩ ∅ ℝ ≡ ∖ ⌊ ⌋ ⌈ ⌉ … are their commands.
 * Characters not listed are copied unchanged: the tokenizer decides what
 * they are.
 *
 * Ownership: the caller owns out; s is borrowed.
 */
#ifndef REVAL_MATH_UNI_H
#define REVAL_MATH_UNI_H

#include "harness/base/util.h"

/* 1 when s has a byte >= 0x80 (only then is a rewrite needed). */
int math_uni_needed(struct strview s);
/* Append s to out with unicode math rewritten. */
void math_uni_rewrite(struct strview s, struct strbuf *out);

#endif

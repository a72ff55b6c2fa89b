#!/usr/bin/env python3
"""Differential answer pairs for the math checker.

    diffgen.py [--seed N] [--per-family N] [--oracle] > pairs.jsonl

Each construct family writes pairs whose prediction differs from the gold by
one construct (expected false) and pairs that spell the gold's value another
way (expected true).  The output is a `reval check math` case file whose
"category" is the family, so the checker's summary reports each family
separately.  The same seed always gives the same bytes.

With --oracle, sympy (Debian's python3-sympy) re-derives the label of every
pair that carries a "sympy" form (both sides written as sympy expressions):
a pair where sympy disagrees with the label stops the generator, and the
number of pairs sympy decided goes to stderr.
"""
import argparse
import json
import random
import sys
from fractions import Fraction
from math import comb, factorial, gcd

PAIRS = []


def emit(family, gold, pred, expected, sym=None, kind="answer", config=None):
    case = {"family": family, "gold": gold, "pred": pred, "expected": bool(expected), "pred_kind": kind}
    if sym is not None:
        case["sympy"] = list(sym)
    if config is not None:
        case["config"] = config
    PAIRS.append(case)


def frac_tex(q):
    q = Fraction(q)
    if q.denominator == 1:
        return str(q.numerator)
    s = "-" if q < 0 else ""
    return "%s\\frac{%d}{%d}" % (s, abs(q.numerator), q.denominator)


def sym_q(q):
    q = Fraction(q)
    return "Rational(%d,%d)" % (q.numerator, q.denominator)


# ---- Families ----

def floor_ceil(r):
    whole, tenth = r.randint(0, 99), r.randint(1, 9)
    x = "%s%d.%d" % (r.choice(("", "", "-")), whole, tenth)
    v = Fraction(x)
    fl, ce = v.numerator // v.denominator, -((-v.numerator) // v.denominator)
    f = "\\lfloor %s \\rfloor" % x
    c = "\\lceil %s \\rceil" % x
    sf, sc, sx = "floor(%s)" % sym_q(v), "ceiling(%s)" % sym_q(v), sym_q(v)
    emit("floor_ceil", f, str(fl), True, (sf, str(fl)))
    emit("floor_ceil", c, str(ce), True, (sc, str(ce)))
    emit("floor_ceil", str(fl), "\\left\\lfloor %s\\right\\rfloor" % x, True, (str(fl), sf))
    emit("floor_ceil", f, x, False, (sf, sx))
    emit("floor_ceil", c, x, False, (sc, sx))
    emit("floor_ceil", f, c, False, (sf, sc))
    emit("floor_ceil", str(ce), f, False, (str(ce), sf))
    var = r.choice("xyntk")
    emit("floor_ceil", "\\lceil %s\\rceil" % var, "\\lfloor %s\\rfloor" % var, False)
    emit("floor_ceil", "\\lfloor %s\\rfloor" % var, var, False)


def accents(r):
    v = r.choice("xyzabuvw")
    k = r.randint(2, 9)
    a, b = r.randint(1, 20), r.randint(1, 20)
    for acc in ("bar", "overline", "hat", "vec", "tilde", "widehat", "dot", "overrightarrow"):
        emit("accents", "\\%s{%s}^%d+1" % (acc, v, k), "%s^%d+1" % (v, k), False)
        emit("accents", "\\%s{%s}" % (acc, v), v, False)
    emit("accents", "\\overline{%d+%di}" % (a, b), "%d+%di" % (a, b), False)
    emit("accents", "\\|%s\\|" % v, v, False)
    emit("accents", "\\bar{%s}" % v, "\\bar{%s}" % v, True)
    emit("accents", "\\bar{%s}+%d" % (v, a), "%d+\\bar{%s}" % (a, v), True)
    emit("accents", "\\vec{%s}" % v, "\\hat{%s}" % v, False)
    emit("accents", "\\overline{%d+%di}" % (a, b), "%d-%di" % (a, b), True, ("conjugate(%d+%d*I)" % (a, b), "%d-%d*I" % (a, b)))


def repeating(r):
    whole = r.randint(0, 30)
    rep = str(r.randint(1, 98)).zfill(r.choice((1, 2)))
    if set(rep) == {"9"} or set(rep) == {"0"}:
        rep = "3"
    n = int(rep)
    v = whole + Fraction(n, 10 ** len(rep) - 1)
    gold = "%d.\\overline{%s}" % (whole, rep)
    sv = sym_q(v)
    emit("repeating_decimal", gold, frac_tex(v), True, (sv, sv))
    emit("repeating_decimal", "%d.(%s)" % (whole, rep), frac_tex(v), True, (sv, sv))
    emit("repeating_decimal", frac_tex(v), "%d.\\overline{%s}" % (whole, rep), True, (sv, sv))
    emit("repeating_decimal", frac_tex(v), "%d.\\dot{%s}" % (whole, rep), len(rep) == 1, (sv, sv if len(rep) == 1 else None))
    emit("repeating_decimal", gold, str(whole), False, (sv, str(whole)))
    emit("repeating_decimal", gold, str(n), False, (sv, str(n)))
    emit("repeating_decimal", gold, str(whole * n) if whole * n != v else str(whole + n), False)
    emit("repeating_decimal", gold, "%d.%s" % (whole, rep), False, (sv, sym_q(Fraction("%d.%s" % (whole, rep)))))
    emit("repeating_decimal", "%d.(%s)" % (whole, rep), str(whole), False, (sv, str(whole)))
    other = str((n + 1) % (10 ** len(rep) - 1) or 1).zfill(len(rep))
    emit("repeating_decimal", gold, "%d.\\overline{%s}" % (whole, other), False)


def words(r):
    n = r.randint(2, 999)
    for word, mult in (("million", 10 ** 6), ("thousand", 1000), ("billion", 10 ** 9), ("dozen", 12), ("hundred", 100)):
        emit("number_words", "%d\\text{ %s}" % (n, word), str(n), False, (str(n * mult), str(n)))
        emit("number_words", str(n * mult), "%d\\text{ %s}" % (n, word), True, (str(n * mult), str(n * mult)))
        emit("number_words", str(n), "%d %s" % (n, word), False, (str(n), str(n * mult)))
    for hedge in ("at most", "at least", "or more", "or less", "approximately", "squared", "cubed", "percent of it"):
        emit("number_words", str(n), "%d\\text{ %s}" % (n, hedge), False)
    emit("number_words", str(n), "%d squared" % n, False)
    emit("number_words", str(n * n), "%d squared" % n, True, (str(n * n), "%d**2" % n))
    for unit in ("cm", "meters", "km", "kg", "dollars", "hours", "minutes", "degrees", "units"):
        emit("number_words", str(n), "%d\\text{ %s}" % (n, unit), True, (str(n), str(n)))
        emit("number_words", str(n), "%d\\,\\mathrm{%s}" % (n, unit), True, (str(n), str(n)))
        emit("number_words", str(n + 1), "%d\\text{ %s}" % (n, unit), False, (str(n + 1), str(n)))


def hedges(r):
    letters = "ABCDE"
    g = r.choice(letters)
    o = r.choice([c for c in letters if c != g])
    emit("hedges", g, "%s, %s" % (g, o), False)
    emit("hedges", g, "%s, %s" % (o, g), False)
    emit("hedges", g, "(%s) or (%s)" % (g, o), False)
    emit("hedges", g, "The answer is $\\boxed{%s, %s}$" % (g, o), False, kind="full_output")
    emit("hedges", g, "The answer is $\\boxed{A, B, C, D, E}$", False, kind="full_output")
    emit("hedges", g, "The answer is $\\boxed{%s}$" % g, True, kind="full_output")
    emit("hedges", g, "The answer is (%s)." % g, True, kind="full_output")
    n = r.randint(10, 500)
    m = n + r.randint(1, 9)
    emit("hedges", str(n), "So it is $\\boxed{%d}$ or $\\boxed{%d}$." % (m, n), False, kind="full_output")
    emit("hedges", str(n), "So it is $\\boxed{%d}$ or $\\boxed{%d}$." % (n, m), False, kind="full_output")
    emit("hedges", str(n), "So it is $\\boxed{%d}$, or equivalently $\\boxed{%d}$." % (n, n), True, kind="full_output")
    emit("hedges", str(n), "Answer: %d (but if we also count zero, %d)" % (m, n), False, kind="full_output")
    emit("hedges", str(n), "%d or %d" % (n, m), False, (str(n), None))
    emit("hedges", str(n), "%d \\text{ or } %d" % (m, n), False)
    emit("hedges", "%d, %d" % (n, m), "So $\\boxed{%d}$ and $\\boxed{%d}$." % (m, n), True, kind="full_output")
    emit("hedges", str(n), "$x = %d$ or $x = %d$, so $\\boxed{%d}$." % (n, m, n), True, kind="full_output")


def degrees(r):
    table = [(30, "sin", Fraction(1, 2)), (90, "sin", 1), (60, "cos", Fraction(1, 2)), (45, "tan", 1),
             (0, "cos", 1), (180, "cos", -1), (150, "sin", Fraction(1, 2)), (135, "tan", -1), (120, "cos", Fraction(-1, 2))]
    d, f, val = r.choice(table)
    sy = "%s(%d*pi/180)" % (f, d)
    emit("degrees", frac_tex(val), "\\%s %d^\\circ" % (f, d), True, (sym_q(val), sy))
    emit("degrees", frac_tex(val), "\\%s(%d^{\\circ})" % (f, d), True, (sym_q(val), sy))
    emit("degrees", frac_tex(val), "\\%s %d\\degree" % (f, d), True, (sym_q(val), sy))
    emit("degrees", frac_tex(val), "%s %d°" % (f, d), True, (sym_q(val), sy))
    if d:
        emit("degrees", "\\%s %d^\\circ" % (f, d), "\\%s %d" % (f, d), False, (sy, "%s(%d)" % (f, d)))
    a = r.choice((15, 30, 36, 45, 60, 72, 90, 120, 135, 150, 210, 270, 300))
    q = Fraction(a, 180)
    rad = "\\frac{%s\\pi}{%d}" % ("" if q.numerator == 1 else q.numerator, q.denominator) if q.denominator != 1 else "%s\\pi" % ("" if q.numerator == 1 else q.numerator)
    sr = "%s*pi" % sym_q(q)
    emit("degrees", rad, "%d^\\circ" % a, True, (sr, "%d*pi/180" % a))
    emit("degrees", "%d^\\circ" % a, rad, True, ("%d*pi/180" % a, sr))
    emit("degrees", "%d^\\circ" % a, "%d°" % a, True, ("%d*pi/180" % a, "%d*pi/180" % a))
    emit("degrees", str(a), "%d^\\circ" % a, True)  # documented leniency: a degree sign against a bare number
    emit("degrees", "%d^\\circ" % a, "%d^\\circ" % (a + 10), False, ("%d*pi/180" % a, "%d*pi/180" % (a + 10)))
    emit("degrees", rad, "%d" % a, False)


def inverse_trig(r):
    table = [("sin", "1/2", "\\frac{\\pi}{6}", "pi/6"), ("cos", "1/2", "\\frac{\\pi}{3}", "pi/3"),
             ("tan", "1", "\\frac{\\pi}{4}", "pi/4"), ("sin", "1", "\\frac{\\pi}{2}", "pi/2"),
             ("cos", "-1", "\\pi", "pi"), ("cos", "0", "\\frac{\\pi}{2}", "pi/2"),
             ("sin", "-1/2", "-\\frac{\\pi}{6}", "-pi/6"), ("tan", "-1", "-\\frac{\\pi}{4}", "-pi/4"),
             ("cos", "-1/2", "\\frac{2\\pi}{3}", "2*pi/3"), ("tan", "\\sqrt{3}", "\\frac{\\pi}{3}", "pi/3")]
    f, x, val, sv = r.choice(table)
    sx = x.replace("\\sqrt{3}", "sqrt(3)")
    sa = "a%s(%s)" % (f, sx)
    emit("inverse_trig", val, "\\%s^{-1}(%s)" % (f, x), True, (sv, sa))
    emit("inverse_trig", val, "\\arc%s(%s)" % (f, x), True, (sv, sa))
    emit("inverse_trig", val, "\\operatorname{arc%s}(%s)" % (f, x), True, (sv, sa))
    emit("inverse_trig", "\\arc%s(%s)" % (f, x), "\\%s^{-1}(%s)" % (f, x), True, (sa, sa))
    emit("inverse_trig", "\\%s^{-1}(%s)" % (f, x), "\\frac{1}{\\%s(%s)}" % (f, x), False, (sa, "1/%s(%s)" % (f, sx)))
    emit("inverse_trig", val, "%s + \\pi" % val, False, (sv, sv + "+pi"))
    emit("inverse_trig", val, "\\frac{1}{\\%s(%s)}" % (f, x), False, (sv, "1/%s(%s)" % (f, sx)))


def unicode_math(r):
    n = r.randint(2, 40)
    emit("unicode", str(n), "√%d" % (n * n), True, (str(n), "sqrt(%d)" % (n * n)))
    emit("unicode", str(n + 2), "√%d" % (n * n), False, (str(n + 2), "sqrt(%d)" % (n * n)))
    k = r.choice((2, 3, 5, 6, 7, 10, 11, 13, 14, 15))
    emit("unicode", "%d\\sqrt{%d}" % (n, k), "%d√%d" % (n, k), True, ("%d*sqrt(%d)" % (n, k), "%d*sqrt(%d)" % (n, k)))
    emit("unicode", str(k), "%d√%d" % (n, k), False, (str(k), "%d*sqrt(%d)" % (n, k)))
    sup = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    e = r.randint(2, 12)
    emit("unicode", "x^{%d}" % e, "x" + str(e).translate(sup), True)
    emit("unicode", "x", "x" + str(e).translate(sup), False)
    emit("unicode", "x_{%d}" % e, "x" + str(e).translate(sub), True)
    m = r.randint(2, 9)
    emit("unicode", str(m * 10 ** e), "%d×10%s" % (m, str(e).translate(sup)), True, (str(m * 10 ** e), "%d*10**%d" % (m, e)))
    emit("unicode", str(m * 10), "%d×10%s" % (m, str(e).translate(sup)), False, (str(m * 10), "%d*10**%d" % (m, e)))
    vul = {"½": Fraction(1, 2), "⅓": Fraction(1, 3), "¼": Fraction(1, 4), "¾": Fraction(3, 4), "⅔": Fraction(2, 3), "⅛": Fraction(1, 8)}
    ch = r.choice(sorted(vul))
    v = n + vul[ch]
    emit("unicode", frac_tex(v), "%d%s" % (n, ch), True, (sym_q(v), sym_q(v)))
    emit("unicode", str(n), "%d%s" % (n, ch), False, (str(n), sym_q(v)))
    emit("unicode", frac_tex(vul[ch]), ch, True, (sym_q(vul[ch]), sym_q(vul[ch])))
    emit("unicode", "\\frac{1}{%d}" % m, "1⁄%d" % m, True, ("Rational(1,%d)" % m, "Rational(1,%d)" % m))
    emit("unicode", str(m), "1⁄%d" % m, False, (str(m), "Rational(1,%d)" % m))
    big = r.randint(1, 99) * 1000 + r.randint(0, 999)
    for sp in ("\u00a0", "\u2009", "\u202f", "\u2007"):
        txt = "%d%s%03d" % (big // 1000, sp, big % 1000)
        emit("unicode", str(big), txt, True, (str(big), str(big)))
        emit("unicode", str((big // 1000) * (big % 1000)), txt, False, (str((big // 1000) * (big % 1000)), str(big)))
    for dash in ("\u2212", "\u2013", "\u2012", "\ufe63", "\uff0d"):
        emit("unicode", "-%d" % n, "%s%d" % (dash, n), True, ("-%d" % n, "-%d" % n))
        emit("unicode", str(n), "%s%d" % (dash, n), False, (str(n), "-%d" % n))
    full = str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    emit("unicode", str(n), full, True, (str(n), str(n)))
    emit("unicode", str(n + 1), full, False, (str(n + 1), str(n)))
    emit("unicode", "%d\\pi" % m, "%d𝜋" % m, True, ("%d*pi" % m, "%d*pi" % m))
    emit("unicode", str(m), "%d𝜋" % m, False, (str(m), "%d*pi" % m))
    emit("unicode", "%d\\pi" % m, "%dπ" % m, True, ("%d*pi" % m, "%d*pi" % m))
    a, b = r.randint(1, 9), r.randint(10, 19)
    emit("unicode", "\\langle %d,%d\\rangle" % (a, b), "⟨%d,%d⟩" % (a, b), True)
    emit("unicode", "⟨%d,%d⟩" % (a, b), "⟨%d,%d⟩" % (b, a), False)
    emit("unicode", "\\emptyset", "∅", True)
    emit("unicode", "%d" % n, "%d∛%d" % (1, n ** 3), True, (str(n), "cbrt(%d)" % (n ** 3)))


def unknown_commands(r):
    a, b = r.randint(1, 9), r.randint(2, 9)
    emit("unknown_commands", "x\\equiv %d\\pmod{%d}" % (a, b + 4), "x\\equiv %d\\pmod{%d}" % (a * 2, (b + 4) // 2 or 1), False)
    emit("unknown_commands", "x\\equiv %d\\pmod %d" % (a, b + 4), "x\\equiv %d\\pmod %d" % (a, b + 4), True)
    x, y = r.sample("ABCDSTUV", 2)
    emit("unknown_commands", "%s\\setminus %s" % (x, y), "%s\\setminus %s" % (y, x), False)
    emit("unknown_commands", "%s\\setminus %s" % (x, y), "%s\\setminus %s" % (x, y), True)
    n, m = r.randint(11, 99), r.randint(3, 10)
    emit("unknown_commands", str(n * m), "%d\\operatorname{mod}%d" % (n, m), False)
    emit("unknown_commands", str(n % m), "%d\\operatorname{mod}%d" % (n, m), True, (str(n % m), "Mod(%d,%d)" % (n, m)))
    emit("unknown_commands", str(n % m), "%d \\bmod %d" % (n, m), True, (str(n % m), "Mod(%d,%d)" % (n, m)))
    emit("unknown_commands", str(n % m), "%d \\mod %d" % (n, m), True, (str(n % m), "Mod(%d,%d)" % (n, m)))
    k = r.randint(5, 12)
    emit("unknown_commands", "\\{1,2,\\ldots,%d\\}" % k, "\\{1,2,%d\\}" % k, False)
    emit("unknown_commands", "\\{1,2,%d\\}" % k, "\\{1,2,\\ldots,%d\\}" % k, False)
    emit("unknown_commands", "1, 2, \\dots, %d" % k, "1, 2, %d" % k, False)
    p, q = r.randint(2, 9), r.randint(2, 9)
    emit("unknown_commands", str(p * q), "%d %d" % (p, q), False, (str(p * q), None))
    emit("unknown_commands", str(p * q), "%d.\\,%d" % (p, q), False)
    emit("unknown_commands", "%d%d" % (p, q), "%d %d" % (p, q), False)
    emit("unknown_commands", "a_{%d%d}" % (p, q), "a_%d %d" % (p, q), False)
    emit("unknown_commands", str(p * q), "%d \\cdot %d" % (p, q), True, (str(p * q), "%d*%d" % (p, q)))
    for cmd in ("zeta", "foo", "Re", "Im", "arg", "deg", "ker", "sgn", "wp", "aleph", "hbar", "nabla"):
        emit("unknown_commands", str(a), "\\%s{%d}" % (cmd, a), False)
        emit("unknown_commands", str(a), "\\%s %d" % (cmd, a), False)
    emit("unknown_commands", str(a), "%d \\implies %d" % (b, a), False)
    emit("unknown_commands", str(a), "%d ? %d" % (a, b), False)
    emit("unknown_commands", str(a), "%d # %d" % (b, a), False)
    emit("unknown_commands", str(a + b), "(%d + %d" % (a, b), False)
    emit("unknown_commands", str(a + b), "%d + %d)" % (a, b), False)
    emit("unknown_commands", str(a + b), "%d + %d" % (a, b), True, (str(a + b), "%d+%d" % (a, b)))


def tolerance(r):
    k = r.randint(50, 400)
    emit("tolerance", "0", "e^{-%d}" % k, False, ("0", "exp(-%d)" % k))
    emit("tolerance", "e^{%d}" % k, "e^{%d}+1" % k, False, ("exp(%d)" % k, "exp(%d)+1" % k))
    emit("tolerance", "e^{%d}" % k, "e^{%d}" % k, True, ("exp(%d)" % k, "exp(%d)" % k))
    emit("tolerance", "10^{%d}" % k, "10^{%d}+1" % k, False, ("10**%d" % k, "10**%d+1" % k))
    emit("tolerance", "\\pi^{%d}" % (k // 4), "\\pi^{%d}+1" % (k // 4), False, ("pi**%d" % (k // 4), "pi**%d+1" % (k // 4)))
    emit("tolerance", "0", "10^{-%d}" % k, False, ("0", "Rational(1,10**%d)" % k))
    emit("tolerance", "\\sqrt{2}", "\\sqrt{2}+10^{-%d}" % (k // 2), False, ("sqrt(2)", "sqrt(2)+Rational(1,10**%d)" % (k // 2)))
    emit("tolerance", "\\frac{\\sqrt{2}}{2}", "\\frac{1}{\\sqrt{2}}", True, ("sqrt(2)/2", "1/sqrt(2)"))
    emit("tolerance", "%d = %d" % (k, k + 3), str(k + 3), False)
    emit("tolerance", str(k + 3), "%d = %d" % (k, k + 3), False)
    # polynomials that vanish at many fixed points
    pts = [Fraction(1009 + 431 * j, 463 + 5 * j) for j in range(3)]
    poly = "".join("(x-\\frac{%d}{%d})" % (p.numerator, p.denominator) for p in pts)
    emit("tolerance", "0", poly, False)
    c = r.randint(1, 9)
    emit("tolerance", "(x+%d)^2" % c, "x^2+%dx+%d" % (2 * c, c * c), True, ("(x+%d)**2" % c, "x**2+%d*x+%d" % (2 * c, c * c)))
    emit("tolerance", "(x+%d)^2" % c, "x^2+%dx+%d" % (c, c * c), False, ("(x+%d)**2" % c, "x**2+%d*x+%d" % (c, c * c)))
    roots = sorted(r.sample(range(-30, 30), 5))
    prod = "".join("(x%+d)" % -z for z in roots)
    emit("tolerance", "0", prod, False)
    emit("tolerance", "0", "x(x-1)(x-2)(x-3)(x-4)(x-5)(x-6)(x-7)", False)


def gcd_family(r):
    a, b = r.randint(2, 60) * r.choice((1, 2, 3)), r.randint(2, 60) * r.choice((1, 2, 3))
    g, l = gcd(a, b), a * b // gcd(a, b)
    forms = [("\\gcd(%d,%d)", g, "gcd"), ("\\operatorname{gcd}(%d, %d)", g, "gcd"), ("\\text{gcd}(%d,%d)", g, "gcd"),
             ("\\operatorname{lcm}(%d,%d)", l, "lcm"), ("\\text{lcm}(%d, %d)", l, "lcm"), ("\\mathrm{lcm}(%d,%d)", l, "lcm"),
             ("\\max(%d,%d)", max(a, b), "Max"), ("\\min(%d,%d)", min(a, b), "Min"), ("\\max\\{%d,%d\\}", max(a, b), "Max"),
             ("\\min\\{%d, %d\\}", min(a, b), "Min"), ("\\operatorname{max}(%d,%d)", max(a, b), "Max"),
             ("%d \\bmod %d", a % b, "Mod"), ("%d \\pmod{%d}", None, None), ("\\text{GCD}(%d,%d)", g, "gcd")]
    for f, v, sf in forms:
        t = f % (a, b)
        if v is None:
            emit("gcd_lcm_min_max", str(a % b), t, False)
            continue
        s = "%s(%d,%d)" % (sf, a, b)
        emit("gcd_lcm_min_max", str(v), t, True, (str(v), s))
        wrong = v + r.randint(1, 5)
        emit("gcd_lcm_min_max", str(wrong), t, False, (str(wrong), s))
        if a * b != v:
            emit("gcd_lcm_min_max", str(a * b), t, False, (str(a * b), s))


def factorials(r):
    n = r.randint(3, 15)
    k = r.randint(1, n - 1)
    emit("factorial_binomial", str(factorial(n)), "%d!" % n, True, (str(factorial(n)), "factorial(%d)" % n))
    emit("factorial_binomial", str(n), "%d!" % n, False, (str(n), "factorial(%d)" % n))
    df = 1
    for j in range(n, 0, -2):
        df *= j
    emit("factorial_binomial", str(df), "%d!!" % n, True, (str(df), "factorial2(%d)" % n))
    emit("factorial_binomial", str(factorial(n)), "%d!!" % n, False, (str(factorial(n)), "factorial2(%d)" % n))
    c = comb(n, k)
    sb = "binomial(%d,%d)" % (n, k)
    # C_n^k is left out: it also reads as C_n to the power k.
    for f in ("\\binom{%d}{%d}", "\\dbinom{%d}{%d}", "{%d \\choose %d}", "C(%d,%d)", "{}^{%d}C_{%d}", "%dC%d",
              "\\mathrm{C}(%d, %d)", "\\tbinom{%d}{%d}", "^{%d}C_{%d}"):
        t = f % (n, k)
        emit("factorial_binomial", str(c), t, True, (str(c), sb))
        wrong = c + 1 if c + 1 != comb(n, k + 1) else c + 2
        emit("factorial_binomial", str(wrong), t, False, (str(wrong), sb))
    emit("factorial_binomial", str(comb(n, k)), "{%d \\choose %d}" % (k, n), False)


def bases(r):
    n = r.randint(5, 4000)
    for base in (2, 3, 5, 8, 16):
        digits = ""
        m = n
        while m:
            digits = "0123456789ABCDEF"[m % base] + digits
            m //= base
        emit("bases", str(n), "%s_{%d}" % (digits, base), True, (str(n), "int('%s',%d)" % (digits, base)))
        emit("bases", str(n), "%s_%d" % (digits, base), base < 10, (str(n), "int('%s',%d)" % (digits, base)) if base < 10 else None)
        emit("bases", "%s_{%d}" % (digits, base), str(n), True, ("int('%s',%d)" % (digits, base), str(n)))
        if digits.isdigit() and int(digits) != n:
            emit("bases", str(n), digits, False, (str(n), digits))
            emit("bases", digits, "%s_{%d}" % (digits, base), False, (digits, "int('%s',%d)" % (digits, base)))


def scientific(r):
    m = r.randint(11, 99)
    e = r.randint(2, 9)
    v = Fraction(m, 10) * 10 ** e
    sv = sym_q(v)
    for f in ("%d.%de%d", "%d.%dE%d", "%d.%de+%d", "%d.%d\\times10^{%d}", "%d.%d \\cdot 10^{%d}", "%d.%d\\times 10^%d", "%d.%d*10^%d",
              "%d.%d x 10^%d"):
        if f.endswith("10^%d") and e > 9:
            continue
        t = f % (m // 10, m % 10, e)
        emit("scientific", str(v.numerator), t, True, (sv, sv))
        emit("scientific", "%d.%d" % (m // 10, m % 10), t, False, (sym_q(Fraction(m, 10)), sv))
        emit("scientific", str(v.numerator * 10), t, False, (sym_q(v * 10), sv))
    small = Fraction(m, 10) / 10 ** e
    emit("scientific", frac_tex(small), "%d.%de-%d" % (m // 10, m % 10, e), True, (sym_q(small), sym_q(small)))


def determinants(r):
    a, b, c, d = (r.randint(-9, 9) for _ in range(4))
    det = a * d - b * c
    cells = "%d & %d \\\\ %d & %d" % (a, b, c, d)
    sm = "Matrix([[%d,%d],[%d,%d]]).det()" % (a, b, c, d)
    emit("determinants", str(det), "\\begin{vmatrix} %s \\end{vmatrix}" % cells, True, (str(det), sm))
    emit("determinants", str(det), "\\det\\begin{pmatrix} %s \\end{pmatrix}" % cells, True, (str(det), sm))
    emit("determinants", str(det), "\\det \\begin{bmatrix} %s \\end{bmatrix}" % cells, True, (str(det), sm))
    emit("determinants", "\\begin{pmatrix} %s \\end{pmatrix}" % cells, "\\begin{vmatrix} %s \\end{vmatrix}" % cells, False)
    emit("determinants", "\\begin{vmatrix} %s \\end{vmatrix}" % cells, "\\begin{pmatrix} %s \\end{pmatrix}" % cells, False)
    emit("determinants", str(det + 1), "\\begin{vmatrix} %s \\end{vmatrix}" % cells, False, (str(det + 1), sm))
    e = r.randint(1, 5)
    m3 = "%d & 0 & 0 \\\\ 0 & %d & 0 \\\\ 0 & 0 & %d" % (a or 1, d or 1, e)
    emit("determinants", str((a or 1) * (d or 1) * e), "\\begin{vmatrix} %s \\end{vmatrix}" % m3, True)


def sets_family(r):
    for s in ("\\emptyset", "\\varnothing", "\\{\\}", "\\{ \\}", "∅", "\\O"):
        emit("sets", "\\emptyset", s, True)
        emit("sets", s, "\\varnothing", True)
    n = r.randint(0, 9)
    emit("sets", "\\emptyset", "\\{%d\\}" % n, False)
    emit("sets", "\\emptyset", str(n), False)
    emit("sets", "\\mathbb{R}", "(-\\infty,\\infty)", True)
    emit("sets", "(-\\infty, \\infty)", "\\mathbb{R}", True)
    emit("sets", "\\mathbb{R}", "(%d,\\infty)" % n, False)
    emit("sets", "\\mathbb{R}", "\\mathbb{Z}", False)
    emit("sets", "\\mathbb{R}", "R", False)
    a, b = sorted(r.sample(range(-9, 10), 2))
    emit("sets", "(-\\infty,%d)\\cup(%d,\\infty)" % (a, b), "x<%d \\text{ or } x>%d" % (a, b), True)
    emit("sets", "(-\\infty,%d)\\cup(%d,\\infty)" % (a, b), "x<%d \\text{ or } x \\geq %d" % (a, b), False)
    emit("sets", "(-\\infty,%d]\\cup[%d,\\infty)" % (a, b), "x \\le %d or x \\ge %d" % (a, b), True)
    emit("sets", "(%d,%d)" % (a, b), "]%d,%d[" % (a, b), True)
    emit("sets", "(%d,%d]" % (a, b), "]%d,%d]" % (a, b), True)
    emit("sets", "[%d,%d)" % (a, b), "[%d,%d[" % (a, b), True)
    emit("sets", "[%d,%d]" % (a, b), "]%d,%d[" % (a, b), False)
    emit("sets", "(%d,%d)" % (a, b), "[%d,%d]" % (a, b), False)


def fractions_family(r):
    p, q = r.randint(1, 30), r.randint(2, 30)
    v = Fraction(p, q)
    sv = sym_q(v)
    # \dfrac%d%d only for one-digit arguments: TeX reads \dfrac 12 4 as (1/2) 4
    for f in ("\\nicefrac{%d}{%d}", "\\sfrac{%d}{%d}", "{%d \\over %d}", "\\tfrac{%d}{%d}", "\\dfrac%d%d", "%d/%d", "\\frac{%d}{%d}"):
        if f == "\\dfrac%d%d" and (p > 9 or q > 9):
            continue
        t = f % (p, q)
        emit("fractions", frac_tex(v), t, True, (sv, sv))
        if Fraction(q, p) != v:
            emit("fractions", frac_tex(Fraction(q, p)), t, False, (sym_q(Fraction(q, p)), sv))
        if p * q != v:
            emit("fractions", str(p * q), t, False, (str(p * q), sv))
        if p != v:
            emit("fractions", str(p), t, False, (str(p), sv))


def gsm8k_fallback(r):
    a, b = r.randint(10, 90), r.randint(1, 9)
    cfg = {"match_types": ["latex", "expr"]}
    text = "He starts with %d marbles and gives away %d. %d - %d = %d, so he has %d marbles left." % (a, b, a, b, a - b, a - b)
    emit("gsm8k_fallback", str(a - b), text, True, kind="full_output", config=cfg)
    emit("gsm8k_fallback", str(a), text, False, kind="full_output", config=cfg)
    emit("gsm8k_fallback", str(a - b), text, False, kind="full_output")
    emit("gsm8k_fallback", str(a - b), "So the answer is %d, or maybe %d." % (a - b, a), False, kind="full_output", config=cfg)


DRESSING = ["$%s$", "\\boxed{%s}", "  %s  ", "\\displaystyle %s", "%s.", "\\( %s \\)", "$$%s$$"]
INJECTION = ["%s \\foo", "\\zeta %s", "%s ?", "(%s", "%s \\text{ or so}", "%s \\implies 1", "%s # 2",
             "%s \\setminus 1", "%s 7", "%s \\text{ at least}", "\\Re %s", "%s)"]


def probes(r, start):
    """Hostile probes over the equal pairs the families wrote since start:
    harmless dressing keeps them equal; one construct the checker cannot
    know (an unknown command, a stray character, an unbalanced bracket, a
    hedging word, a second number) must make them unequal."""
    equal = [c for c in PAIRS[start:] if c["expected"] and c["pred_kind"] == "answer"]
    for c in r.sample(equal, min(len(equal), 40)):
        emit("probe_dressing", c["gold"], r.choice(DRESSING) % c["pred"], True, c.get("sympy"), config=c.get("config"))
        emit("probe_injection", c["gold"], r.choice(INJECTION) % c["pred"], False, config=c.get("config"))


FAMILIES = [floor_ceil, accents, repeating, words, hedges, degrees, inverse_trig, unicode_math, unknown_commands,
            tolerance, gcd_family, factorials, bases, scientific, determinants, sets_family, fractions_family,
            gsm8k_fallback]


# ---- Oracle ----

def oracle(cases):
    import sympy
    from sympy import Rational, sqrt, pi, exp, floor, ceiling, sin, cos, tan, asin, acos, atan, I, conjugate  # noqa: F401
    from sympy import factorial, factorial2, binomial, gcd, lcm, Max, Min, Mod, Matrix, cbrt  # noqa: F401
    env = {k: getattr(sympy, k) for k in dir(sympy) if not k.startswith("_")}
    env["x"] = sympy.Symbol("x")
    env["int"] = int
    decided = 0
    for c in cases:
        s = c.get("sympy")
        if not s or s[0] is None or s[1] is None:
            continue
        g, p = (sympy.sympify(eval(t, env) if t.startswith("int(") else sympy.parse_expr(t, local_dict=env))
                for t in s)
        d = sympy.simplify(g - p)
        if d.free_symbols:
            same = sympy.expand(d) == 0
        else:
            same = d == 0 or (d.is_number and abs(sympy.N(d, 120)) == 0)
        # A label can be stricter than the value (a hedge, a unit of a different quantity), never looser.
        if c["expected"] and not same:
            sys.exit("diffgen: sympy says %s != %s but the pair is labelled equal: %s" % (s[0], s[1], json.dumps(c)))
        if not c["expected"] and same and not c.get("strict_label"):
            sys.exit("diffgen: sympy says %s == %s but the pair is labelled unequal: %s" % (s[0], s[1], json.dumps(c)))
        c["oracle"] = "sympy"
        decided += 1
    return decided


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--rounds", type=int, default=12, help="rounds of every family")
    ap.add_argument("--oracle", action="store_true")
    a = ap.parse_args()
    r = random.Random(a.seed)
    for k in range(a.rounds):
        start = len(PAIRS)
        for fam in FAMILIES:
            fam(r)
        probes(r, start)
    for k, c in enumerate(PAIRS):
        c["id"] = "%s-%05d" % (c["family"], k)
        c["category"] = c.pop("family")
    if a.oracle:
        n = oracle(PAIRS)
        sys.stderr.write("diffgen: sympy decided %d of %d pairs and agreed with every label\n" % (n, len(PAIRS)))
    out = sys.stdout
    for c in PAIRS:
        c.pop("oracle", None)
        out.write(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n")
    eq = sum(c["expected"] for c in PAIRS)
    sys.stderr.write("diffgen: %d pairs (%d equal, %d unequal) in %d families\n" % (len(PAIRS), eq, len(PAIRS) - eq, len(FAMILIES)))


if __name__ == "__main__":
    main()

# expect: wrong_answer
# kind: stdio
# Computes the right sum, then writes a NUL byte and junk: a checker that
# reads the output as a C string would see only the right answer.
import sys
a, b = map(int, sys.stdin.read().split())
sys.stdout.write("%d\n\0 and then anything at all\n" % (a + b))

# expect: pass
# kind: stdio
# Answers only when its world is empty: nothing in /tmp, nothing in its
# working directory.
import os, sys
a, b = map(int, sys.stdin.read().split())
seen = os.listdir("/tmp") + os.listdir(".")
print(a + b if not seen else "saw %s" % seen[:5])

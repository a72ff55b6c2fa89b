# expect: pass
# kind: stdio
# Leaves files in /tmp and in its working directory.
import os, sys
a, b = map(int, sys.stdin.read().split())
for path in ("/tmp/reval-iso-note", "note", "/tmp/.reval-iso-hidden"):
    try:
        with open(path, "w") as f:
            f.write("%d %d\n" % (a, b))
    except OSError:
        pass
print(a + b)

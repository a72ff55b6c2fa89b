# expect: pass
# kind: stdio
# Plants links to /usr/bin/true where the next compiled program may be kept.
import os, sys
a, b = map(int, sys.stdin.read().split())
for base in ("/tmp", os.getcwd(), os.path.dirname(os.getcwd())):
    for i in range(300):
        try:
            os.makedirs("%s/j%d/bin" % (base, i), exist_ok=True)
            os.symlink("/usr/bin/true", "%s/j%d/bin/a.out" % (base, i))
        except OSError:
            pass
print(a + b)

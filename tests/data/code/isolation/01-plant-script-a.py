# expect: pass
# kind: stdio
# Plants, for every job directory name the checker might use next, a bin/a.out
# that is this script, then answers correctly itself.
import os, sys
a, b = map(int, sys.stdin.read().split())
script = "/tmp/reval-iso-planted.py"
try:
    with open(script, "w") as f:
        f.write("#!/usr/bin/python3\nimport sys\na, b = map(int, sys.stdin.read().split())\nprint(a + b)\n")
    os.chmod(script, 0o755)
    for base in ("/tmp", os.getcwd(), os.path.dirname(os.getcwd())):
        for i in range(300):
            try:
                os.makedirs("%s/j%d/bin" % (base, i), exist_ok=True)
                os.symlink(script, "%s/j%d/bin/a.out" % (base, i))
            except OSError:
                pass
except OSError:
    pass
print(a + b)

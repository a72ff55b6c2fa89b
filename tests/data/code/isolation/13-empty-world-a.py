# expect: pass
# kind: stdio
# Leaves its /tmp empty -- the world that is not unmounted at once but set
# aside with others -- after changing what an empty /tmp still shows (its
# mode, times and an extended attribute), and looks for the worlds of earlier
# runs where the fork server sets them aside.  Answers right only if every
# such look is refused.
import os, sys
a, b = map(int, sys.stdin.read().split())
os.chmod("/tmp", 0o777)
os.utime("/tmp", (86400, 86400))
try:
    os.setxattr("/tmp", "user.reval-iso", b"left behind")
except OSError:
    pass
reached = []
for probe in (lambda: os.listdir("/.graves"), lambda: os.stat("/.graves/h"),
              lambda: os.listdir("/.graves/h"), lambda: os.listdir("/.graves/h/0"),
              lambda: os.chmod("/.graves", 0o777), lambda: os.rmdir("/.graves/h")):
    try:
        probe()
        reached.append(probe)
    except OSError:
        pass
print(a + b if not reached else a + b + 1)

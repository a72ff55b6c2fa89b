# expect: pass
# kind: stdio
# A correct answer, printed by a program that leaves a detached daemon
# (double fork, new session) sleeping with stdout open.  The answer is right,
# so the verdict is pass; the point is that nothing survives the test.
import os, sys, time
a, b = map(int, sys.stdin.read().split())
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(1000)
    os._exit(0)
print(a + b)
sys.stdout.flush()

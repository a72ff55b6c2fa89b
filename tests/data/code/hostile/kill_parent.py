# expect: wrong_answer
# kind: stdio
import os, signal
for pid in (os.getppid(), 1, -1, 0):
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
print(-1)

# expect: wrong_answer
# kind: stdio
import os, sys, time
if os.fork() == 0:
    os.setsid()
    while True:
        sys.stdout.write("")
        time.sleep(0.1)
print(-1)

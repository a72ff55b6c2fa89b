# expect: pass
# kind: stdio
# Answers right only if its /tmp is as fresh as the first run's: empty, mode
# 0700, no extended attribute, and changed no earlier than this run began.
import os, sys, time
a, b = map(int, sys.stdin.read().split())
st = os.stat("/tmp")
fresh = (not os.listdir("/tmp") and (st.st_mode & 0o7777) == 0o700
         and not os.listxattr("/tmp") and st.st_mtime > time.time() - 3600)
print(a + b if fresh else -1)

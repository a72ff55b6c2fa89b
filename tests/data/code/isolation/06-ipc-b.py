# expect: pass
# kind: stdio
# Answers only when no IPC object of an earlier sample is in sight.
import ctypes, os, sys
a, b = map(int, sys.stdin.read().split())
left = []
for kind in ("shm", "sem", "msg"):
    try:
        with open("/proc/sysvipc/" + kind) as f:
            left += f.read().splitlines()[1:]
    except OSError:
        pass
libc = ctypes.CDLL(None, use_errno=True)
try:
    if libc.shmget(0x7E7A1, 0, 0) >= 0 or libc.mq_open(b"/reval-iso", os.O_RDONLY) >= 0:
        left.append("found")
except Exception:
    pass
print(a + b if not left else "saw %s" % left[:3])

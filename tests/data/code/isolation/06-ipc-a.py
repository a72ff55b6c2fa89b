# expect: pass
# kind: stdio
# Leaves a SysV shared memory segment, semaphore set and message queue, and a
# POSIX message queue, each holding what it read.
import ctypes, os, sys
a, b = map(int, sys.stdin.read().split())
libc = ctypes.CDLL(None, use_errno=True)
IPC_CREAT = 0o1000
try:
    shm = libc.shmget(0x7E7A1, 1 << 20, IPC_CREAT | 0o666)
    if shm >= 0:
        libc.shmat.restype = ctypes.c_void_p
        p = libc.shmat(shm, None, 0)
        if p not in (None, ctypes.c_void_p(-1).value):
            ctypes.memmove(p, b"planted", 7)
    libc.semget(0x7E7A2, 1, IPC_CREAT | 0o666)
    libc.msgget(0x7E7A3, IPC_CREAT | 0o666)
    libc.mq_open(b"/reval-iso", os.O_CREAT | os.O_RDWR, 0o666, None)
except Exception:
    pass
print(a + b)

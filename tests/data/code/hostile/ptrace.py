# expect: sandbox_violation
# kind: stdio
import ctypes
libc = ctypes.CDLL(None)
libc.ptrace(16, 1, 0, 0)  # PTRACE_ATTACH to pid 1
print(3)

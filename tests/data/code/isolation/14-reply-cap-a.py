# expect: runtime_error
# kind: function
# detail: above the cap
# Answers the first call with the header of a reply one byte longer than the
# runner takes (256 MiB), then waits: the runner must refuse it from the
# header alone, neither reading nor waiting for a body.
import os, time
def read_exact(n):
    data = b""
    while len(data) < n:
        more = os.read(3, n - len(data))
        if not more:
            raise SystemExit
        data += more
    return data
read_exact(int.from_bytes(read_exact(4), "little"))
os.write(3, ((256 << 20) + 1).to_bytes(4, "little") + b"x" * 100)
time.sleep(600)
def add(a, b):
    return a + b

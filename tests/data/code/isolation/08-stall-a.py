# expect: timeout
# kind: function
# detail: no complete reply
# Sends the header of a reply and a few bytes of it, then nothing.
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
os.write(3, (1000).to_bytes(4, "little") + b"0123456789")
time.sleep(600)
def add(a, b):
    return a + b

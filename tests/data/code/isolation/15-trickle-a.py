# expect: timeout
# kind: function
# detail: no complete reply
# Answers the first call a byte at a time, each well within a second of the
# last, a reply that would take minutes to finish: the call's deadline
# covers the whole reply, not each read of it.
import marshal, os, time
def read_exact(n):
    data = b""
    while len(data) < n:
        more = os.read(3, n - len(data))
        if not more:
            raise SystemExit
        data += more
    return data
read_exact(int.from_bytes(read_exact(4), "little"))
body = marshal.dumps(("ok", "x" * 1000))
for b in len(body).to_bytes(4, "little") + body:
    os.write(3, bytes([b]))
    time.sleep(0.2)
def add(a, b):
    return a + b

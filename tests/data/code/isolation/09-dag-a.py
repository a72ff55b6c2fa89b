# expect: wrong_answer|runtime_error
# kind: function
# Answers with a tuple of 2**80 leaves in a few hundred bytes: each level
# refers twice to the one below.
import marshal, os
def read_exact(n):
    data = b""
    while len(data) < n:
        more = os.read(3, n - len(data))
        if not more:
            raise SystemExit
        data += more
    return data
read_exact(int.from_bytes(read_exact(4), "little"))
t = (1,)
for _ in range(80):
    t = (t, t)
reply = marshal.dumps(("ok", t))
os.write(3, len(reply).to_bytes(4, "little") + reply)
def add(a, b):
    return a + b

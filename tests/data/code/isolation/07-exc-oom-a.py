# expect: runtime_error|wrong_answer
# kind: function
# Answers the runner's first call itself with an exception whose text, once
# decoded and formatted, is some 700 MB: shared back-references in one small frame.
import marshal, os
def add(a, b):
    return a + b
def read_exact(n):
    data = b""
    while len(data) < n:
        more = os.read(3, n - len(data))
        if not more:
            raise SystemExit
        data += more
    return data
read_exact(int.from_bytes(read_exact(4), "little"))
s = "x" * (1 << 20)
reply = marshal.dumps(("exc", "E", (s,) * 700))
os.write(3, len(reply).to_bytes(4, "little") + reply)

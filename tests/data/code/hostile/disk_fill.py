# expect: runtime_error
# kind: stdio
import os
chunk = b"\0" * (1 << 20)
with open("/tmp/reval-hostile-fill", "wb") as f:
    while True:
        f.write(chunk)
        f.flush()

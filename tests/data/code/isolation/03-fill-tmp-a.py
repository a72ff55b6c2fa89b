# expect: pass
# kind: stdio
# Fills /tmp and its working directory, file after file up to the size
# limit of each, then answers correctly.
import os, sys
a, b = map(int, sys.stdin.read().split())
chunk = b"\0" * (1 << 20)
for base in ("/tmp/reval-iso-fill", "fill"):
    for i in range(200):
        try:
            with open("%s%d" % (base, i), "wb") as f:
                while True:
                    f.write(chunk)
                    f.flush()
        except OSError as e:
            if e.errno != 27:  # EFBIG: this file is full; ENOSPC: all are
                break
print(a + b)

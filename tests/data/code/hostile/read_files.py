# expect: wrong_answer
# kind: function
import os, glob
found = []
for pattern in ["/work/**/*.jsonl", "/root/**/*.jsonl", "/proc/*/cmdline", "/proc/*/environ",
                "/tmp/**", "/home/**", "/usr/share/**/*.jsonl"]:
    for p in glob.glob(pattern, recursive=True)[:200]:
        try:
            with open(p, "rb") as f:
                if b"def check" in f.read(1 << 20):
                    found.append(p)
        except OSError:
            pass
def add(a, b):
    return -1 if not found else len(found)

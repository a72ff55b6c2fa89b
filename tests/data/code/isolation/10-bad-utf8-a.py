# expect: runtime_error
# kind: stdio
# Invalid bytes, and a character across the 300-byte clip, on stderr.
import os
os.write(2, b"\xff\xfe\xc0\x80 bad \xed\xa0\x80 " + b"x" * 3 + "\u00e9".encode() * 200)
os._exit(1)

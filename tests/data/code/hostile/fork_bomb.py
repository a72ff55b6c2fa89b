# expect: runtime_error|timeout
# kind: stdio
import os
while True:
    try:
        os.fork()
    except OSError:
        pass

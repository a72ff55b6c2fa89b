# expect: output_limit
# kind: stdio
import sys
line = "x" * 4096 + "\n"
while True:
    sys.stdout.write(line)

# expect: wrong_answer
# kind: stdio
# A wrong answer that leaves a 3,000-deep directory chain in its working
# directory, deeper than any path the cleanup can name.
import os
for i in range(3000):
    os.mkdir("d")
    os.chdir("d")
print(0)

# expect: wrong_answer
# kind: stdio
import os
wrote = 0
for p in ["/usr/bin/reval-hostile-marker", "/etc/reval-hostile-marker", "/reval-hostile-marker",
          "/proc/reval-hostile-marker", "/dev/reval-hostile-marker"]:
    try:
        with open(p, "w") as f:
            f.write("x")
        wrote += 1
    except OSError:
        pass
with open("/tmp/reval-hostile-marker", "w") as f:
    f.write("inside the private /tmp only")
print(100 + wrote)

# expect: wrong_answer
# kind: function
import gc, re
def add(a, b):
    for o in gc.get_objects():
        if isinstance(o, str) and "candidate(" in o:
            m = re.search(r"candidate\(%d, %d\) == (-?\d+)" % (a, b), o)
            if m:
                return int(m.group(1))
    return -1

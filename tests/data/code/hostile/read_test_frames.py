# expect: wrong_answer
# kind: function
import sys, inspect
def add(a, b):
    # Look for the expected value in the caller's frames, as a test harness
    # that runs tests in-process would expose it.
    for f in inspect.stack():
        for v in f.frame.f_locals.values():
            if isinstance(v, int) and v not in (a, b):
                return v
    return -1

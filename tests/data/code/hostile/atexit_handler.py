# expect: wrong_answer
# kind: function
import atexit, os
atexit.register(lambda: os._exit(0))
def add(a, b):
    return 0

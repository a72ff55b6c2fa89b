# expect: wrong_answer
# kind: function
import builtins
class Never(Exception):
    pass
builtins.AssertionError = Never
builtins.isinstance = lambda *a: True
def add(a, b):
    return None

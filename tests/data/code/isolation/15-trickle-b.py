# expect: pass
# kind: function
def add(a, b):
    return a + b

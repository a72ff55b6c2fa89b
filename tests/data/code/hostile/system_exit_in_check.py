# expect: runtime_error
# kind: function
def add(a, b):
    raise SystemExit(0)

# expect: runtime_error
# kind: function
# An exception whose text is lone surrogates, which no UTF-8 can carry.
def add(a, b):
    raise ValueError("\udc80\ud800" * 50)

# expect: timeout
# kind: stdio
while True:
    pass

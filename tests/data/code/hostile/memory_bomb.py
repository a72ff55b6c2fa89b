# expect: memory_limit
# kind: stdio
blocks = []
while True:
    blocks.append(bytearray(16 << 20))

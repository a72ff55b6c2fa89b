import sys
data = sys.stdin.read().split()
n = int(data[0])
a, b = data[1:1 + n], data[1 + n:1 + 2 * n]
# Wrong: compares position by position instead of as multisets.
print(sum(x != y for x, y in zip(a, b)))

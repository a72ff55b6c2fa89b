n = input().strip()
m = input().strip()
# Wrong: forgets that the answer may not start with zero.
print("OK" if "".join(sorted(n)) == m else "WRONG_ANSWER")

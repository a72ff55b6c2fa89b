# expect: wrong_answer
# kind: stdio
# Prints the first sample's answer without reading or computing anything.
print(3)

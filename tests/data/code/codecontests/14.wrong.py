import sys
def main():
    data = sys.stdin.buffer.read().split()
    q = int(data[0]); p = 1; out = []
    for _ in range(q):
        n, r = int(data[p]), int(data[p + 1]); p += 2
        # Wrong: counts duplicates as separate shots.
        xs = sorted(map(int, data[p:p + n]), reverse=True); p += n
        shots = 0
        for x in xs:
            if x - shots * r <= 0:
                break
            shots += 1
        out.append(str(shots))
    print("\n".join(out))
main()

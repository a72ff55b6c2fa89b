#!/usr/bin/env python3
"""simstat.py SLOTS STEP_LOG: the simulated server's utilisation and wall/ideal.

The step log (fake-openai --sim ... --step-log F) has "s STEP RUNNING WAITING"
for every step with work and "q TOKENS" for every finished sequence.  Busy is
the share of slot-steps that decoded, from the first step with work to the
last; the ideal is the longest-first packing of the same sequences on the same
slots (each slot takes the longest sequence left when it frees), in steps.
Prints: busy=F span=STEPS ideal=STEPS ratio=F seqs=N tokens=N
"""
import heapq
import sys


def main():
    slots = int(sys.argv[1])
    first = last = None
    used = 0
    lens = []
    with open(sys.argv[2]) as f:
        for line in f:
            p = line.split()
            if not p:
                continue
            if p[0] == "s":
                step, running = int(p[1]), int(p[2])
                if running:
                    first = step if first is None else first
                    last = step
                used += running
            elif p[0] == "q":
                lens.append(int(p[1]))
    if first is None:
        print("busy=0 span=0 ideal=0 ratio=0 seqs=0 tokens=0")
        return
    span = last - first + 1
    free = [0] * slots
    for n in sorted(lens, reverse=True):
        t = heapq.heappop(free)
        heapq.heappush(free, t + n)
    ideal = max(free)
    print("busy=%.3f span=%d ideal=%d ratio=%.3f seqs=%d tokens=%d"
          % (used / (slots * span), span, ideal, span / ideal, len(lens), sum(lens)))


main()

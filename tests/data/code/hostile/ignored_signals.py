# expect: timeout
# kind: stdio
import signal, time
for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU, signal.SIGALRM, signal.SIGUSR1):
    signal.signal(s, signal.SIG_IGN)
while True:
    time.sleep(0.01)

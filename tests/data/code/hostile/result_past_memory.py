# expect: wrong_answer
# kind: function
# Builds its result, then lowers its own memory limit so that the result
# can be built but not sent: a result the candidate cannot marshal, for
# whatever reason, is opaque and compared as such -- a wrong answer here.
import resource
def add(a, b):
    x = [0.5] * 4_000_000
    with open("/proc/self/status") as f:
        vm = next(int(l.split()[1]) for l in f if l.startswith("VmSize:")) * 1024
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    resource.setrlimit(resource.RLIMIT_AS, (vm + (4 << 20), hard))
    return x

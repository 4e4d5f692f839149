# send: a push pipeline, source -> even filter -> summing sink. The source sends 0..N-1
# (N from the first argument, default 3,000,000) into the filter with send(); the filter sends
# the even values on to the sink, which yields its running total. Prints the sum of the evens.
import sys


def summer():
    """The sink: adds up what it receives; each yield hands back the total so far."""
    total = 0
    while True:
        v = yield total
        total += v


def evens(target):
    """The filter: passes even values on to the next stage."""
    while True:
        v = yield
        if v % 2 == 0:
            target.send(v)


def source(n, target):
    for i in range(n):
        target.send(i)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
    sink = summer()
    stage = evens(sink)
    next(sink)             # prime both stages: run to the first yield
    next(stage)
    source(n, stage)
    print(sink.send(0))    # the total so far


main()

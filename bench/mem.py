# mem: memory per suspended coroutine. Creates N generators (N from the first argument,
# default 1,000,000), runs each to its first yield and keeps them all in a list.
# Prints the sum of the values they yielded.
import sys


def body(k):
    yield k


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    held = []
    total = 0
    for i in range(n):
        g = body(i)
        total += next(g)
        held.append(g)
    print(total)


main()

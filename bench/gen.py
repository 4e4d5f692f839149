# gen: a generator. A coroutine yields 0..N-1 (N from the first argument, default 5,000,000);
# a for loop sums them. Prints the sum.
import sys


def count(n):
    i = 0
    while i < n:
        yield i
        i += 1


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000_000
    total = 0
    for x in count(n):
        total += x
    print(total)


main()

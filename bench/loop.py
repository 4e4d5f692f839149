# loop: a while loop of integer arithmetic. Prints the sum of (i*i) % 7 for i in 0..N-1
# (N from the first argument, default 20,000,000).
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000_000
    total = 0
    i = 0
    while i < n:
        total += (i * i) % 7
        i += 1
    print(total)


main()

# trees: allocation and collection (binary-trees). Builds complete binary trees of depth up to N
# (the first argument, default 15): a stretch tree of depth N + 1, one long-lived tree of depth
# N, and for each depth d = 4, 6, ..., N, 2^(N - d + 4) short-lived trees of depth d. A node is
# a tuple (left, right); a leaf is (None, None). Prints the sum of the node counts of every tree.
import sys


def make(depth):
    if depth == 0:
        return (None, None)
    return (make(depth - 1), make(depth - 1))


def check(node):
    if node[0] is None:
        return 1
    return 1 + check(node[0]) + check(node[1])


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    min_depth = 4
    max_depth = max(min_depth + 2, n)
    total = check(make(max_depth + 1))
    long_lived = make(max_depth)
    for depth in range(min_depth, max_depth + 1, 2):
        iterations = 1 << (max_depth - depth + min_depth)
        for _ in range(iterations):
            total += check(make(depth))
    total += check(long_lived)
    print(total)


main()

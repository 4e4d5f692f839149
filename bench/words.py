# words: string splitting, a dict counting string keys, sorting. Makes a text of N words (the
# first argument, default 3,000,000) of one to three syllables picked by a Park-Miller random
# generator, splits it at spaces, counts each word in a dict and sorts the distinct words.
# Prints the number of words, of distinct words, the first and last distinct word and a weighted
# sum of the counts in sorted order.
import sys

SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "be", "da", "fu", "go", "hi", "ja", "po", "we"]


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3_000_000
    state = 42
    words = []
    for _ in range(n):
        state = state * 48271 % 2147483647
        word = SYLLABLES[state % 16]
        more = state // 16 % 4
        if more >= 2:
            word += SYLLABLES[state // 64 % 16]
        if more == 3:
            word += SYLLABLES[state // 1024 % 16]
        words.append(word)
    text = " ".join(words)

    counts = {}
    for w in text.split(" "):
        counts[w] = counts.get(w, 0) + 1
    distinct = sorted(counts)
    weighted = 0
    for i, w in enumerate(distinct):
        weighted += (i + 1) * counts[w]
    print(n, len(distinct), distinct[0], distinct[-1], weighted)


main()

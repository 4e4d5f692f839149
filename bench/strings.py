# strings: building, slicing and comparing strings. For i below N (the first argument, default
# 1,000,000) builds the key "item-<i % 977>-<i>", compares its first 8 characters with a constant
# and the key with the one before, and keeps those first 8 characters; then joins them with
# commas, takes a 5-character slice every 7 characters of the result, and replaces "item" by "it"
# in it. Prints the counts and lengths.
import sys


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    heads = []
    same = descending = total = 0
    prev = ""
    for i in range(n):
        key = f"item-{i % 977}-{i}"
        head = key[:8]
        if head == "item-12-":
            same += 1
        if key < prev:
            descending += 1
        prev = key
        total += len(key)
        heads.append(head)
    joined = ",".join(heads)
    found = 0
    k = 0
    while k + 5 <= len(joined):
        if joined[k:k + 5] == "item-":
            found += 1
        k += 7
    shorter = joined.replace("item", "it")
    print(same, descending, total, len(joined), found, len(shorter))


main()

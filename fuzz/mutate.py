#!/usr/bin/env python3
"""A mutator over CoLang sources: the conformance suite, the examples and generated programs.

Mutations work on bytes (flips, odd bytes, truncation) and on tokens (swaps, duplication,
deletion, splicing lines of another file, keyword and operator substitutions), so the result
is sometimes garbage and often almost right, which is where parsers and compilers break.

    python3 fuzz/mutate.py SEED FILE...     # one mutant of a random FILE on stdout (bytes)
"""
import random
import re
import sys

TOKEN_RE = re.compile(rb'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|[A-Za-z_][A-Za-z0-9_]*|0[xX][0-9a-fA-F_]+|'
                      rb'[0-9][0-9_]*(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?|//=?|[-+*/%=<>!]=|[^\sA-Za-z0-9_]|\n')
KEYWORDS = [b"let", b"fn", b"return", b"if", b"else", b"while", b"for", b"in", b"break", b"continue",
            b"true", b"false", b"nil", b"and", b"or", b"not", b"yield", b"from", b"spawn", b"try",
            b"catch", b"throw"]
INTERESTING = KEYWORDS + [
    b"(", b")", b"[", b"]", b"{", b"}", b",", b".", b":", b";", b"=", b"+=", b"//=", b"%", b"//",
    b"-", b"not", b"yield from", b"spawn", b"\n", b"${", b"\\u{", b"\"", b"'", b"#",
    b"9223372036854775807", b"-9223372036854775808", b"0x8000000000000000", b"1e999", b"0.0",
    b"coroutine", b"channel", b"sleep(0)", b"current_task()", b"tasks()", b".join()", b".cancel()",
    b".send(1)", b".throw(error(\"x\"))", b".close()", b".next()", b".recv()", b"input()",
    b"co", b"t", b"ch", b"self", b"args", b"len", b"range(1000000000)", b"list(range(100000000))",
    b"\x00", b"\xff", b"\xc0\x80", b"\xed\xa0\x80", b"\xf4\x90\x80\x80", b"\xe2\x80\xae", b"\r",
    b"\t", b"\x0c", b"\xef\xbb\xbf", "é".encode(), "😀".encode(), b"\\", b"$",
]


class Mutator:
    def __init__(self, seed, corpus):
        self.r = random.Random(seed)
        self.corpus = corpus  # list of bytes

    def tokens(self, data):
        return TOKEN_RE.findall(data)

    def mutate(self, data):
        for _ in range(self.r.choice([1, 1, 1, 2, 3, 5, 10])):
            data = self.one(data)
        return data

    def one(self, data):
        ops = [self.byte_flip, self.byte_insert, self.truncate, self.duplicate_range,
               self.delete_range, self.token_swap, self.token_replace, self.token_delete,
               self.token_duplicate, self.splice_lines, self.splice_files, self.nest,
               self.line_shuffle, self.insert_interesting]
        return self.r.choice(ops)(data)

    def pos(self, data):
        return self.r.randrange(len(data) + 1)

    def byte_flip(self, data):
        if not data:
            return data
        i = self.r.randrange(len(data))
        b = data[i] ^ (1 << self.r.randrange(8))
        return data[:i] + bytes([b]) + data[i + 1:]

    def byte_insert(self, data):
        i = self.pos(data)
        b = bytes([self.r.randrange(256)]) if self.r.random() < 0.5 else self.r.choice(INTERESTING)
        return data[:i] + b + data[i:]

    def truncate(self, data):
        return data[:self.pos(data)]

    def duplicate_range(self, data):
        if not data:
            return data
        i = self.r.randrange(len(data))
        j = min(len(data), i + self.r.randint(1, 200))
        times = self.r.choice([1, 2, 10, 100])
        return data[:j] + data[i:j] * times + data[j:]

    def delete_range(self, data):
        if not data:
            return data
        i = self.r.randrange(len(data))
        j = min(len(data), i + self.r.randint(1, 50))
        return data[:i] + data[j:]

    def retok(self, data, f):
        toks = self.tokens(data)
        if not toks:
            return data
        toks = f(toks)
        out = bytearray()
        for t in toks:
            if out and t != b"\n" and out[-1:] != b"\n":
                out += b" "
            out += t
        return bytes(out)

    def token_swap(self, data):
        def f(t):
            i, j = self.r.randrange(len(t)), self.r.randrange(len(t))
            t[i], t[j] = t[j], t[i]
            return t
        return self.retok(data, f)

    def token_replace(self, data):
        def f(t):
            i = self.r.randrange(len(t))
            t[i] = self.r.choice(INTERESTING + t)
            return t
        return self.retok(data, f)

    def token_delete(self, data):
        def f(t):
            del t[self.r.randrange(len(t))]
            return t
        return self.retok(data, f)

    def token_duplicate(self, data):
        def f(t):
            i = self.r.randrange(len(t))
            j = min(len(t), i + self.r.randint(1, 8))
            return t[:j] + t[i:j] * self.r.choice([1, 2, 50]) + t[j:]
        return self.retok(data, f)

    def splice_lines(self, data):
        lines = data.split(b"\n")
        other = self.r.choice(self.corpus).split(b"\n")
        i = self.r.randrange(len(lines) + 1)
        k = self.r.randrange(len(other))
        return b"\n".join(lines[:i] + other[k:k + self.r.randint(1, 10)] + lines[i:])

    def splice_files(self, data):
        other = self.r.choice(self.corpus)
        return data[:self.pos(data)] + other[self.r.randrange(len(other) + 1):]

    def nest(self, data):
        """Wraps a stretch in many brackets, blocks or prefix operators."""
        n = self.r.choice([10, 100, 199, 200, 201, 1000, 10000])
        i = self.pos(data)
        opener, closer = self.r.choice([(b"(", b")"), (b"[", b"]"), (b"{", b"}"), (b"-", b""),
                                        (b"not ", b""), (b"if true {", b"}"), (b"fn() {", b"}"),
                                        (b"\"${", b"}\""), (b"yield ", b""), (b"spawn ", b"")])
        j = min(len(data), i + self.r.randint(0, 40))
        return data[:i] + opener * n + data[i:j] + closer * n + data[j:]

    def line_shuffle(self, data):
        lines = data.split(b"\n")
        self.r.shuffle(lines)
        return b"\n".join(lines)

    def insert_interesting(self, data):
        i = self.pos(data)
        return data[:i] + self.r.choice(INTERESTING) + data[i:]


def load(paths):
    out = []
    for p in paths:
        with open(p, "rb") as f:
            out.append(f.read())
    return out


if __name__ == "__main__":
    seed = int(sys.argv[1])
    corpus = load(sys.argv[2:])
    m = Mutator(seed, corpus)
    sys.stdout.buffer.write(m.mutate(m.r.choice(corpus)))

#!/usr/bin/env python3
"""A grammar-aware random CoLang program generator.

Programs are mostly well-formed (so they get past the parser and exercise the compiler, the VM,
coroutines and the scheduler), use every construct of the language, and are sprinkled with the
things that break interpreters: deep nesting, integer edge values, odd bytes in strings, errors
thrown across coroutine resumes and task boundaries. A small share is deliberately broken
(a random token dropped or doubled) to keep the parser's error recovery busy.

    python3 fuzz/gen.py SEED            # one program on stdout
    python3 fuzz/gen.py SEED COUNT DIR  # COUNT programs DIR/gen-SEED+i.co
"""
import random
import sys

INT_EDGES = [
    "0", "1", "-1", "2", "7", "10", "255", "0xff", "0x7fffffffffffffff", "1_000_000",
    "9223372036854775807", "-9223372036854775807", "(-9223372036854775807 - 1)",
    "4294967296", "3037000499", "3037000500", "-4294967296", "65536", "1_0",
]
FLOAT_EDGES = ["0.0", "1.5", "-2.5", "1e308", "1e-308", "2.5e-3", "1e999", "3.14", "0.1", "1e9",
               "(0.0 / 0.0)"]
STRING_BODIES = [
    "", "a", "hello", "\\n", "\\t", "\\0", "\\u{1F600}", "é", "日本語", "\\u{10FFFF}", "\\u{0}",
    "a\\\\b", "\\\"", "\\'", "\\$", "$x", "\\${", "  ", "\\u{301}e", "😀😀", "\\r\\n", "%s%d",
    "\\u{FEFF}", "z" * 40,
]
BINOPS = ["+", "-", "*", "/", "//", "%", "==", "!=", "<", "<=", ">", ">=", "and", "or"]
ASSIGN_OPS = ["=", "+=", "-=", "*=", "/=", "//=", "%="]
BUILTINS = ["str", "int", "float", "type", "len", "list", "keys", "abs", "min", "max"]
LIST_METHODS = [("push", 1), ("pop", 0), ("insert", 2), ("remove", 1), ("contains", 1),
                ("join", 1), ("slice", 2), ("sort", 0), ("reverse", 0)]
MAP_METHODS = [("keys", 0), ("values", 0), ("has", 1), ("remove", 1)]
STR_METHODS = [("upper", 0), ("lower", 0), ("split", 1), ("trim", 0), ("contains", 1),
               ("starts_with", 1), ("ends_with", 1), ("replace", 2), ("slice", 2)]
CO_OPS = ["next()", "resume({})", "send({})", "throw({})", "close()", "status", "done", "result"]
TASK_OPS = ["join()", "cancel()", "status", "name", "id", "result"]
CHAN_OPS = ["send({})", "recv()", "close()", "capacity", "closed"]


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.counter = 0
        self.scopes = [["args"]]
        self.funcs = []        # names of declared plain functions (arity)
        self.gens = []         # names of declared generator functions (arity)
        self.lines = []
        self.indent = 0
        self.in_fn = 0
        self.in_loop = 0
        self.in_gen = 0

    # ---- helpers -------------------------------------------------------------------------
    def fresh(self, prefix="v"):
        self.counter += 1
        return f"{prefix}{self.counter}"

    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def visible(self):
        out = []
        for s in self.scopes:
            out.extend(s)
        return out

    def declare(self, name):
        self.scopes[-1].append(name)

    def emit(self, text):
        self.lines.append("  " * self.indent + text)

    def block(self, body, header):
        self.emit(header + " {")
        self.indent += 1
        self.scopes.append([])
        body()
        self.scopes.pop()
        self.indent -= 1
        self.emit("}")

    # ---- expressions ---------------------------------------------------------------------
    def string_lit(self, depth):
        q = self.pick(['"', "'"])
        parts = []
        for _ in range(self.r.randint(0, 3)):
            if depth > 0 and self.chance(0.3):
                parts.append("${" + self.expr(depth - 1) + "}")
            else:
                body = self.pick(STRING_BODIES)
                if q == "'":
                    body = body.replace("\\\"", "\"")
                else:
                    body = body.replace("\\'", "'")
                parts.append(body)
        return q + "".join(parts) + q

    def atom(self, depth):
        k = self.r.randint(0, 11)
        names = self.visible()
        if k <= 2 and names:
            return self.pick(names)
        if k == 3:
            return self.pick(INT_EDGES)
        if k == 4:
            return self.pick(FLOAT_EDGES)
        if k == 5:
            return self.string_lit(depth)
        if k == 6:
            return self.pick(["true", "false", "nil"])
        if k == 7:
            return str(self.r.randint(-5, 20))
        if k == 8:
            return "[" + ", ".join(self.expr(depth - 1) for _ in range(self.r.randint(0, 4))) + "]"
        if k == 9:
            entries = []
            for _ in range(self.r.randint(0, 3)):
                if self.chance(0.5):
                    entries.append(f"{self.pick(['a', 'b', 'k', 'name'])}: {self.expr(depth - 1)}")
                else:
                    entries.append(f"{self.pick(['1', '2.5', 'true', self.string_lit(0)])}: {self.expr(depth - 1)}")
            return "{" + ", ".join(entries) + "}"
        if k == 10:
            return self.pick(["range(5)", "range(1, 4)", "range(10, 0, -3)", "range(0)", "now()",
                              "current_task()", "tasks()", "channel()", "channel(2)", "random()",
                              "random(1, 6)", "error(\"e\")", "input()", "args"])
        return str(self.r.randint(0, 3))

    def expr(self, depth=3):
        if depth <= 0:
            return self.atom(0)
        k = self.r.randint(0, 20)
        if k <= 5:
            return self.atom(depth)
        if k <= 8:
            op = self.pick(BINOPS)
            return f"{self.operand(depth - 1)} {op} {self.operand(depth - 1)}"
        if k == 9:
            return "-" + self.operand(depth - 1)
        if k == 10:
            return "not " + self.operand(depth - 1)
        if k == 11:
            b = self.pick(BUILTINS)
            return f"{b}({self.expr(depth - 1)})"
        if k == 12 and self.funcs:
            name, arity = self.pick(self.funcs)
            if self.chance(0.1):
                arity += self.pick([-1, 1])
            return f"{name}({', '.join(self.expr(depth - 1) for _ in range(max(0, arity)))})"
        if k == 13:
            obj = self.operand(depth - 1)
            kind = self.r.randint(0, 2)
            meth, n = self.pick([LIST_METHODS, MAP_METHODS, STR_METHODS][kind])
            return f"{obj}.{meth}({', '.join(self.expr(depth - 1) for _ in range(n))})"
        if k == 14:
            return f"{self.operand(depth - 1)}[{self.expr(depth - 1)}]"
        if k == 15:
            return f"{self.operand(depth - 1)}.{self.pick(['a', 'b', 'k', 'message', 'trace', 'status', 'name'])}"
        if k == 16:
            # a closure literal, called or not
            p = self.fresh("p")
            body = f"return {self.pick([p, p + ' + 1', 'str(' + p + ')', self.atom(0)])}"
            lit = f"fn({p}) {{ {body} }}"
            return f"({lit})({self.expr(depth - 1)})" if self.chance(0.5) else lit
        if k == 17 and self.gens:
            name, arity = self.pick(self.gens)
            args = "".join(", " + self.expr(depth - 1) for _ in range(arity))
            return f"coroutine({name}{args})"
        if k == 18:
            # lists of closures capturing a loop variable via map/filter
            return f"[1, 2, 3].{self.pick(['map', 'filter'])}(fn(x) {{ return x {self.pick(['*', '+', '>', '%'])} {self.atom(0)} }})"
        if k == 19:
            return "(" + self.expr(depth - 1) + ")"
        if self.in_gen and self.chance(0.5):
            return "(yield " + self.expr(depth - 1) + ")"
        return self.atom(depth)

    def operand(self, depth):
        e = self.expr(depth)
        if " " in e and not (e.startswith("(") and e.endswith(")")):
            return "(" + e + ")"
        return e

    # ---- statements ----------------------------------------------------------------------
    def stmt(self, depth):
        k = self.r.randint(0, 30)
        if k <= 3:
            name = self.fresh()
            self.emit(f"let {name} = {self.expr(3)}")
            self.declare(name)
        elif k <= 5:
            self.emit(f"print({', '.join(self.expr(3) for _ in range(self.r.randint(0, 3)))})")
        elif k == 6:
            names = self.visible()
            if names:
                target = self.pick(names)
                if self.chance(0.3):
                    target += f"[{self.expr(1)}]"
                elif self.chance(0.2):
                    target += "." + self.pick(["a", "b", "k"])
                self.emit(f"{target} {self.pick(ASSIGN_OPS)} {self.expr(2)}")
        elif k == 7 and depth > 0:
            self.if_stmt(depth)
        elif k == 8 and depth > 0:
            self.while_stmt(depth)
        elif k == 9 and depth > 0:
            self.for_stmt(depth)
        elif k == 10 and depth > 0:
            self.try_stmt(depth)
        elif k == 11 and depth > 0:
            self.fn_decl(depth)
        elif k == 12 and depth > 0:
            self.gen_decl(depth)
        elif k == 13:
            self.coroutine_ops()
        elif k == 14 and depth > 0:
            self.task_ops(depth)
        elif k == 15 and depth > 0:
            self.channel_ops(depth)
        elif k == 16:
            self.emit(f"throw {self.pick(['error(' + self.string_lit(1) + ')', self.expr(1)])}")
        elif k == 17 and self.in_loop:
            self.emit(self.pick(["break", "continue"]))
        elif k == 18 and self.in_fn:
            self.emit("return" + ("" if self.chance(0.2) else " " + self.expr(2)))
        elif k == 19:
            self.emit(self.pick(["sleep(0)", "sleep(1)", "sleep(0.5)", "yield", "sleep(-1)"]))
        elif k == 20:
            self.edge_arith()
        elif k == 21 and self.chance(0.4):
            self.deep_expr()
        elif k == 22 and self.in_gen:
            self.emit(f"yield {self.expr(2)}")
        elif k == 23 and self.in_gen:
            if self.gens and self.chance(0.6):
                name, arity = self.pick(self.gens)
                args = "".join(", " + self.expr(1) for _ in range(arity))
                self.emit(f"yield from coroutine({name}{args})")
            else:
                src = self.pick(['[1, 2]', '"ab"', 'range(3)', '{"k": 1}', self.expr(1)])
                self.emit("yield from " + src)
        elif k == 24:
            self.emit(f"assert({self.expr(2)}, {self.string_lit(0)})")
        elif k == 25:
            self.emit(self.pick(["print(tasks())", "print(current_task())", "print(len(tasks()))",
                                 "print(str(current_task().status))", "print(now() >= 0)"]))
        elif k == 26 and depth > 0:
            self.recursion()
        elif k == 27 and self.chance(0.08):
            self.stress()
        else:
            self.emit(f"print({self.expr(2)})")

    def body(self, depth, n=None):
        for _ in range(n if n is not None else self.r.randint(1, 4)):
            self.stmt(depth - 1)

    def if_stmt(self, depth):
        self.block(lambda: self.body(depth), f"if {self.expr(2)}")
        while self.chance(0.3):
            self.lines[-1] += f" else if {self.expr(2)} {{"
            self.indent += 1
            self.scopes.append([])
            self.body(depth)
            self.scopes.pop()
            self.indent -= 1
            self.emit("}")
        if self.chance(0.4):
            self.lines[-1] += " else {"
            self.indent += 1
            self.scopes.append([])
            self.body(depth)
            self.scopes.pop()
            self.indent -= 1
            self.emit("}")

    def while_stmt(self, depth):
        i = self.fresh("i")
        self.emit(f"let {i} = 0")
        self.declare(i)
        bound = self.r.randint(0, 6)

        def inner():
            self.emit(f"{i} += 1")
            self.in_loop += 1
            self.body(depth)
            self.in_loop -= 1
        self.block(inner, f"while {i} < {bound}")

    def for_stmt(self, depth):
        x = self.fresh("x")
        it = self.pick(["range(4)", "[1, \"a\", nil, 2.5]", "\"héllo😀\"", "{\"a\": 1, \"b\": 2}",
                        "range(3, 0, -1)", self.expr(1)] +
                       [f"coroutine({g}{''.join(', ' + str(self.r.randint(0, 4)) for _ in range(a))})"
                        for g, a in self.gens[-2:]])

        def inner():
            self.declare(x)
            self.in_loop += 1
            self.body(depth)
            self.in_loop -= 1
        self.block(inner, f"for {x} in {it}")

    def try_stmt(self, depth):
        self.block(lambda: self.body(depth), "try")
        named = self.chance(0.9)
        e = self.fresh("e")
        self.lines[-1] += f" catch {e} {{" if named else " catch {"
        self.indent += 1
        self.scopes.append([e] if named else [])
        if named:
            self.emit(self.pick([f"print(\"caught\", {e})", f"print(str({e}))", f"print(type({e}))",
                                 f"print({e}.message)", f"print(len({e}.trace))", f"throw {e}"]
                                + [f"print({e}.trace)"] * 2))
        else:
            self.emit("print(\"caught\")")
        if self.chance(0.3):
            self.body(depth, 1)
        self.scopes.pop()
        self.indent -= 1
        self.emit("}")

    def params(self, n):
        return [self.fresh("a") for _ in range(n)]

    def fn_decl(self, depth):
        name = self.fresh("f")
        ps = self.params(self.r.randint(0, 3))
        self.declare(name)

        def inner():
            for p in ps:
                self.declare(p)
            self.in_fn += 1
            saved_loop, self.in_loop = self.in_loop, 0
            self.body(depth)
            self.emit(f"return {self.expr(2)}")
            self.in_loop = saved_loop
            self.in_fn -= 1
        self.block(inner, f"fn {name}({', '.join(ps)})")
        self.funcs.append((name, len(ps)))

    def gen_decl(self, depth):
        name = self.fresh("g")
        ps = self.params(self.r.randint(0, 2))
        self.declare(name)

        def inner():
            for p in ps:
                self.declare(p)
            self.in_fn += 1
            self.in_gen += 1
            saved_loop, self.in_loop = self.in_loop, 0
            self.emit(f"yield {self.expr(1)}")
            self.body(depth)
            if self.chance(0.5):
                self.emit(f"let got = yield {self.expr(1)}")
                self.declare("got")
                self.emit("print(\"got\", got)")
            self.emit(f"return {self.expr(1)}")
            self.in_loop = saved_loop
            self.in_gen -= 1
            self.in_fn -= 1
        self.block(inner, f"fn {name}({', '.join(ps)})")
        self.gens.append((name, len(ps)))

    def coroutine_ops(self):
        if not self.gens:
            self.emit(f"print(coroutine({self.pick(['5', 'nil', 'print', 'fn() { yield 1 }'])}))")
            return
        g, arity = self.pick(self.gens)
        c = self.fresh("co")
        args = "".join(", " + self.expr(1) for _ in range(arity))
        self.emit(f"let {c} = coroutine({g}{args})")
        self.declare(c)
        for _ in range(self.r.randint(1, 5)):
            op = self.pick(CO_OPS)
            if "{}" in op:
                op = op.format(self.pick([self.expr(1), "error(\"thrown in\")"]))
            self.emit(f"print({c}.{op})")
        if self.chance(0.3):
            self.emit(f"print(list({c}))")

    def task_ops(self, depth):
        t = self.fresh("t")
        if self.funcs and self.chance(0.5):
            f, arity = self.pick(self.funcs)
            call = f"{f}({', '.join(self.expr(1) for _ in range(arity))})"
        else:
            w = self.fresh("w")
            ps = self.params(self.r.randint(0, 1))

            def inner():
                for p in ps:
                    self.declare(p)
                self.in_fn += 1
                saved_loop, self.in_loop = self.in_loop, 0
                self.emit(f"sleep({self.pick(['0', '1', '0.25', '2'])})")
                self.body(depth, self.r.randint(1, 3))
                self.emit(f"return {self.expr(1)}")
                self.in_loop = saved_loop
                self.in_fn -= 1
            self.block(inner, f"fn {w}({', '.join(ps)})")
            self.declare(w)
            call = f"{w}({', '.join(self.expr(1) for _ in ps)})"
        self.emit(f"let {t} = spawn {call}")
        self.declare(t)
        for _ in range(self.r.randint(0, 3)):
            op = self.pick(TASK_OPS)
            if op == "name" and self.chance(0.5):
                self.emit(f"{t}.name = {self.string_lit(0)}")
            else:
                self.emit(f"print({t}.{op})")
        if self.chance(0.5):
            self.emit(f"try {{ print({t}.join()) }} catch e {{ print(\"join failed\", e) }}")

    def channel_ops(self, depth):
        ch = self.fresh("ch")
        self.emit(f"let {ch} = channel({self.pick(['', '0', '1', '3', '-1', '100'])})")
        self.declare(ch)
        if self.chance(0.7):
            p = self.fresh("prod")
            n = self.r.randint(0, 5)
            self.block(lambda: (self.emit(f"for i in range({n}) {{ {ch}.send(i + 1); sleep(0) }}"),
                                self.emit(f"{ch}.close()") if self.chance(0.8) else None),
                       f"fn {p}()")
            self.emit(f"let {p}t = spawn {p}()")
            self.declare(p + "t")
            if self.chance(0.5):
                self.emit(f"for v in {ch} {{ print(\"recv\", v) }}")
            else:
                self.emit(f"print({ch}.recv(), len({ch}), {ch}.closed)")
        for _ in range(self.r.randint(0, 2)):
            op = self.pick(CHAN_OPS)
            if "{}" in op:
                op = op.format(self.pick([self.expr(1), "nil"]))
            self.emit(f"print({ch}.{op})")

    def edge_arith(self):
        a = self.pick(INT_EDGES)
        b = self.pick(INT_EDGES + ["0", "-1"])
        op = self.pick(["+", "-", "*", "//", "%", "/"])
        self.emit(f"try {{ print({a} {op} {b}) }} catch e {{ print(e.message) }}")
        if self.chance(0.3):
            self.emit(f"try {{ print(-{a}, abs({a}), str({a}), int(str({a})), float({a})) }} catch e {{ print(e.message) }}")

    def deep_expr(self):
        n = self.r.choice([5, 20, 40, 60, 60, 100, 150, 199, 210, 400] if self.chance(0.3) else [3, 8, 15, 30])
        kind = self.r.randint(0, 6)
        if kind == 0:
            s = "(" * n + "1" + ")" * n
        elif kind == 1:
            s = "[" * n + "]" * n
        elif kind == 2:
            s = "-" * n + "1"
        elif kind == 3:
            s = "not " * n + "true"
        elif kind == 4:
            s = " + ".join(["1"] * n)
        elif kind == 5:
            s = "{\"a\": " * n + "1" + "}" * n
        else:
            s = "len(" * n + "[]" + ")" * n
        self.emit(f"print({s})")

    def recursion(self):
        f = self.fresh("rec")
        depth = self.pick(["10", "100", "5000", "1000000"])
        self.emit(f"fn {f}(n) {{ if n <= 0 {{ return 0 }}; return 1 + {f}(n - 1) }}")
        self.emit(f"try {{ print({f}({depth})) }} catch e {{ print(e.message) }}")

    def stress(self):
        """Idioms that grow memory or time fast: the limits must stop them, not the OS."""
        v = self.fresh("big")
        body = self.pick([
            f"let {v} = \"ab\"; while true {{ {v} = {v} + {v} }}",
            f"let {v} = [1]; while true {{ {v} = {v} + {v} }}",
            f"let {v} = {{}}; let {v}i = 0; while true {{ {v}[{v}i] = {v}i; {v}i += 1 }}",
            f"let {v} = []; while true {{ {v}.push(str(len({v}))) }}",
            f"let {v} = []; while true {{ {v}.push([1, 2, 3]) }}",
            f"let {v} = list(range({self.pick(['1000000', '100000000', '9223372036854775807'])}))",
            f"let {v} = channel(1000000); while true {{ {v}.send(\"x\") }}",
            f"let {v} = \"x\"; while true {{ {v} = \"${{{v}}}${{{v}}}\" }}",
            f"fn {v}(n) {{ let c = coroutine({v}, n + 1); yield c.next() }}; coroutine({v}, 0).next()",
            f"let {v} = []; for i in range(100000) {{ {v}.push(spawn sleep(1)) }}",
        ])
        self.emit(f"try {{ {body} }} catch e {{ print(e.message) }}")

    # ---- whole programs ------------------------------------------------------------------
    def program(self):
        self.emit("# generated")
        n = self.r.randint(3, 25)
        for _ in range(n):
            if self.chance(0.75):
                self.try_stmt(3)
            else:
                self.stmt(3)
        text = "\n".join(self.lines) + "\n"
        if self.chance(0.08):
            text = self.break_it(text)
        return text

    def break_it(self, text):
        """Damages a well-formed program slightly: drop, double or swap a character."""
        if not text:
            return text
        i = self.r.randrange(len(text))
        k = self.r.randint(0, 2)
        if k == 0:
            return text[:i] + text[i + 1:]
        if k == 1:
            return text[:i] + text[i] + text[i:]
        j = self.r.randrange(len(text))
        lst = list(text)
        lst[i], lst[j] = lst[j], lst[i]
        return "".join(lst)


def generate(seed):
    return Gen(seed).program()


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else random.randrange(1 << 30)
    if len(sys.argv) > 3:
        import os
        count, out = int(sys.argv[2]), sys.argv[3]
        os.makedirs(out, exist_ok=True)
        for i in range(count):
            with open(os.path.join(out, f"gen-{seed + i}.co"), "w") as f:
                f.write(generate(seed + i))
    else:
        sys.stdout.write(generate(seed))

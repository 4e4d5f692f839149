#!/usr/bin/env python3
"""A torture tester for the coroutine and task core (issue 11, item 1).

    python3 fuzz/torture.py SECONDS [--binary B] [--seed S] [--jobs J]
    python3 fuzz/torture.py --print SEED        # one generated program on stdout

The generator writes random but well-formed programs of 3 to 8 interacting actors (coroutines
and tasks) with bounded loops. They use every transfer of the core: resume/next, yield, a primed
send into a fresh coroutine, throw into a coroutine, close, `yield from` (of another coroutine, of
itself, of its resumer, of a finished or fresh one, of a list), spawn, join, cancel of other tasks
and of oneself, sleep(0) and short sleeps, channel send/recv/close while others wait on them, and
`select` when the binary has it. Errors of every kind are thrown (runtime errors, `throw nil`,
lists, maps, strings, error values), across resumes and joins, and `try`/`catch`/`finally` wraps
the transfers. Closures capture the locals of actors that are later closed, cancelled or finished;
they are called after garbage was made, so a use-after-free shows as wrong output or an ASan report.

Every program runs through an AddressSanitizer build with
`--clock virtual --max-steps N --max-memory 256` in these modes:

  plain       no extra flag
  gc          --gc-stress (a collection at every allocation): must print exactly what plain does
  rand        --schedule random --seed S, twice: both runs must agree
  rand-gc     --schedule random --seed S --gc-stress (every third input): must agree with rand
  preempt1/7  --preempt 1 and --preempt 7, plain and with --gc-stress, when `colang --help` has it

Findings (kinds): crash (a sanitizer or Swift runtime report, a signal, exit >= 128), hang (the
wall-clock timeout passed although the step limit should stop everything), mismatch (gc-stress
or a fixed seed changed stdout, stderr or the exit status), no-loc (an exit 65/70 report without
file:line:column that is not a deadlock, a limit or a failed task), odd-exit, syntax (the
generator wrote a program the compiler rejects: a generator or compiler bug), leak
(LeakSanitizer). They are minimised with run.py's delta debugging and saved under
fuzz/findings/torture-KIND-HASH/ (input.co, min.co, report.txt). The exit status is 1 when there
was any finding, so CI can run it.
"""
import argparse
import concurrent.futures
import hashlib
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import run as fuzzrun   # noqa: E402  (classify, Runner, delta debugging)

MAX_STEPS = "60000"
BASE = ["--clock", "virtual", "--max-steps", MAX_STEPS, "--max-memory", "256"]
fuzzrun.BASE_FLAGS = BASE   # Runner.run puts these before the mode's flags


# ---------------------------------------------------------------------------------------------
# The generator
# ---------------------------------------------------------------------------------------------

PRELUDE = r'''# torture program, seed {seed}
let getters = []
let cos = []
let ts = []
let chs = [channel(), channel(1), channel(3)]
let made = 0
let spawned = 0
let junkbox = nil
fn tag(e) { if type(e) == "error" { return "E:" + e.message }; return "V:" + str(e) }
fn junk(n) { for i in range(n) { junkbox = [i, "g${i}"] } }
fn pick(xs, i) { if i < len(xs) { return xs[i] }; return nil }
let gens = []
let revived = 0
fn co(i) { if cos[i].done and revived < 40 { revived += 1; cos[i] = coroutine(gens[i], ["revived", revived]) }; return cos[i] }
fn tsk(i) { if len(ts) == 0 { return nil }; return ts[i % len(ts)] }
fn st(x) { if x == nil { return "none" }; return x.status }
fn drain(c) { for i in range(40) { let v = c.recv(); if v == nil { return i }; print("drained", v); sleep(0.5) } }
fn feed(c) { for i in range(40) { sleep(0.75); try { c.send(["fed", i]) } catch e { return i } } }
'''


class Torture:
    def __init__(self, seed, have_select=False, have_finally=False):
        self.seed = seed
        self.r = random.Random(seed)
        self.have_select = have_select
        self.have_finally = have_finally
        self.lines = []
        self.indent = 0
        self.site = 0
        self.locals = 0
        self.n_co = self.r.randint(2, 5)
        self.n_task = self.r.randint(1, 4)
        while self.n_co + self.n_task > 8:
            self.n_co -= 1
        self.max_made = self.r.choice([3, 6, 12])
        self.max_spawned = self.r.choice([4, 8, 16])

    # ---- helpers -----------------------------------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def emit(self, text):
        self.lines.append("  " * self.indent + text)

    def sid(self):
        self.site += 1
        return f"s{self.site}"

    def fresh(self, prefix="x"):
        self.locals += 1
        return f"{prefix}{self.locals}"

    def open(self, header):
        self.emit(header + " {")
        self.indent += 1

    def close(self, tail=""):
        self.indent -= 1
        self.emit("}" + tail)

    # ---- values ------------------------------------------------------------------------------
    def value(self, ctx):
        k = self.r.randrange(12)
        if k == 0:
            return str(self.r.randint(-3, 99))
        if k == 1:
            return f'"v{self.r.randrange(100)}"'
        if k == 2:
            return f'[{self.r.randrange(9)}, "l{self.r.randrange(9)}"]'
        if k == 3:
            return f'{{"k": {self.r.randrange(9)}, "m": [1, 2]}}'
        if k == 4:
            return "nil"
        if k == 5:
            return f'error("err{self.r.randrange(9)}")'
        if k == 6 and ctx["fn"]:
            return "mine"
        if k == 7 and ctx["fn"]:
            return "n"
        if k == 8:
            return "[junkbox, 7]"
        if k == 9 and ctx["fn"]:
            return "[mine, n]"
        if k == 10:
            return "fn() { return 3 }"
        return str(self.r.randrange(10))

    def thrown(self, ctx):
        return self.pick([
            "throw nil", 'throw "oops"', 'throw [1, "two", [3]]', 'throw {"code": 4, "why": "map"}',
            f'throw error("boom{self.r.randrange(9)}")', "throw 42", f"throw {self.value(ctx)}",
            "print(1 // 0)", "print([1, 2][5])", 'print(int("x"))', "print(nil.field)",
            'print(1 + "a")', "print(undefined_name)", 'assert(false, "asserted")',
            "cos.fly()", "print(coroutine(5))", "sleep(-1)", "chs[0].send(nil)",
        ])

    def co_ref(self, ctx):
        k = self.r.randrange(10)
        if k < 3:
            return f"cos[{self.r.randrange(self.n_co)}]"
        if k < 6:
            return f"co({self.r.randrange(self.n_co)})"     # a finished one is replaced by a fresh one
        if k == 6 and ctx["kind"] == "co":
            return f"cos[{ctx['index']}]"          # itself
        if k == 7:
            return f"pick(cos, {self.r.randrange(self.n_co + self.max_made)})"
        if k == 8:
            return f"coroutine({self.gen_fn(ctx)}, {self.value(ctx)})"   # fresh
        return f"cos[{self.r.randrange(self.n_co)}]"

    def gen_fn(self, ctx):
        """A generator function for a fresh coroutine. Inside g_i only g_j with j > i, so fresh
        coroutines do not nest without bound (a deep nest makes --gc-stress quadratic)."""
        low = ctx["index"] + 1 if ctx["kind"] == "co" else 0
        if low >= self.n_co:
            return "fn(x) { let r = yield x; return [r, x] }"
        return f"g{self.r.randint(low, self.n_co - 1)}"

    def task_ref(self):
        if self.chance(0.15):
            return "current_task()"
        if self.chance(0.1):
            return f"pick(ts, {self.r.randrange(self.n_task + 3)})"
        return f"tsk({self.r.randrange(self.n_task + 3)})"

    def chan(self):
        return f"chs[{self.r.randrange(3)}]"

    # ---- statements --------------------------------------------------------------------------
    def stmt(self, ctx, depth):
        s = self.sid()
        kind = ctx["kind"]
        w = [
            ("resume", 14), ("fresh", 5), ("yield", 9 if kind == "co" else 3), ("yieldfrom", 5),
            ("spawn", 5), ("join", 4), ("cancel", 3), ("sleep", 5), ("chan", 9), ("throw", 5),
            ("capture", 4), ("junk", 2), ("status", 3), ("iterate", 2), ("try", 9 if depth < 3 else 0),
            ("finally", 5 if depth < 3 and self.have_finally else 0), ("loop", 5 if depth < 2 else 0),
            ("if", 2 if depth < 3 else 0), ("callback", 2), ("select", 3 if self.have_select else 0),
            ("selfcancel", 1 if kind == "task" else 0), ("wait", 1),
        ]
        what = self.r.choices([x for x, _ in w], [y for _, y in w])[0]
        v = lambda: self.value(ctx)   # noqa: E731
        if what == "resume":
            op = self.pick(["next()", f"resume({v()})", f"send({v()})", f"throw({v()})", "close()",
                            "next()", f"send({v()})"])
            self.emit(f'print("{s}", {self.co_ref(ctx)}.{op})')
        elif what == "fresh":
            g = self.gen_fn(ctx)
            x = self.r.randrange(5)
            if x == 0:
                self.emit(f'print("{s}", coroutine({g}, {v()}).send({v()}))')   # a primed send
            elif x == 1:
                self.emit(f'print("{s}", coroutine({g}, {v()}).throw({v()}))')
            elif x == 2:
                c = self.fresh("c")
                self.emit(f"let {c} = coroutine({g}, {v()})")
                self.emit(f'{c}.close(); print("{s}", {c}.status, {c}.result)')
            else:
                self.emit(f"if made < {self.max_made} {{ made += 1; cos.push(coroutine({g}, {v()})) }}")
        elif what == "yield":
            if kind == "co" and self.chance(0.6):
                y = self.fresh("y")
                self.emit(f"let {y} = yield {v()}")
                self.emit(f'print("{s}", {y})')
            elif self.chance(0.5):
                self.emit("yield")
            else:
                self.emit(f"yield {v()}")
        elif what == "yieldfrom":
            x = self.r.randrange(6)
            if x == 0:
                target = f'[{self.r.randrange(9)}, "yf"]'
            elif x == 1:
                target = f"range({self.r.randrange(4)})"
            else:
                target = self.co_ref(ctx)
            self.emit(f'print("{s}", yield from {target})')
        elif what == "spawn":
            x = self.r.randrange(4)
            if x == 0:
                call = f"g{self.r.randrange(self.n_co)}({v()})"   # a generator function as a task
            elif x == 1 and ctx["fn"]:
                call = f'fn() {{ mine.push("{s}"); sleep(0); return mine }}'
            else:
                call = f"t{self.r.randrange(self.n_task)}({v()})"
            self.emit(f"if spawned < {self.max_spawned} {{ spawned += 1; ts.push(spawn {call}) }}")
        elif what == "join":
            t = self.task_ref()
            if self.chance(0.5) and kind != "main":
                self.emit(f'print("{s}", {t}.join())')
            else:
                self.emit(f'if st({t}) != "blocked" {{ print("{s}", {t}.join()) }}')
        elif what == "cancel":
            t = self.task_ref() if self.chance(0.9 if kind == "task" else 1) else "current_task()"
            if t == "current_task()" and kind != "task":
                t = f"tsk({self.r.randrange(self.n_task + 3)})"
            self.emit(f'{t}.cancel(); print("{s}", st({t}))')
        elif what == "sleep":
            self.emit(f"sleep({self.pick(['0', '0', '0.5', '1', '0.25', '2'])})")
        elif what == "chan":
            c = self.chan()
            x = self.r.randrange(9)
            val = v() if self.chance(0.9) else "nil"
            if x < 2:   # the guarded forms keep most programs out of an early deadlock
                self.emit(f"if not {c}.closed and len({c}) < {c}.capacity {{ {c}.send({val}) }}")
            elif x == 2 and kind != "main":   # main blocks only when guarded: it checks the closures at the end
                self.emit(f"{c}.send({val})")
            elif x < 5:
                self.emit(f'if len({c}) > 0 {{ print("{s}", {c}.recv()) }}')
            elif x == 5 and kind != "main":
                self.emit(f'print("{s}", {c}.recv())')
            elif x in (2, 5, 6):
                self.emit(f'print("{s}", len({c}), {c}.closed)')
            elif x == 7:
                self.emit(f"{c}.close()" if self.chance(0.3) else f"if {'n' if ctx['fn'] else 'made'} > 3 {{ {c}.close() }}")
            else:
                self.emit(f'for {self.fresh("r")} in {c} {{ print("{s}", len({c})); break }}')
        elif what == "select":
            a, b = self.chan(), self.chan()
            ops = self.pick([f"{a}, {b}", f"{a}, [{b}, {v()}]", f"{a}, after(0.5)", f"[{a}, 1], after(0)"])
            self.emit(f'print("{s}", select({ops}))')
        elif what == "throw":
            self.emit(self.thrown(ctx))
        elif what == "capture":
            c = self.fresh("cap")
            self.emit(f'let {c} = ["{s}", {v()}]')
            if ctx["fn"]:
                self.emit(f"getters.push(fn() {{ return [{c}, mine[0], n] }})")
                self.emit(f"mine.push({c}[0])" if self.chance(0.3) else f"n += 1")
            else:
                self.emit(f"getters.push(fn() {{ return {c} }})")
        elif what == "junk":
            self.emit(f"junk({self.pick([10, 50, 200])})")
        elif what == "status":
            self.emit(f'print("{s}", st({self.co_ref(ctx)}), st(tsk({self.r.randrange(self.n_task + 2)})))')
        elif what == "iterate":
            x = self.fresh("it")
            if self.chance(0.5):
                self.emit(f'for {x} in {self.co_ref(ctx)} {{ print("{s}", {x}) }}')
            else:
                self.emit(f'print("{s}", list({self.co_ref(ctx)}))')
        elif what == "callback":
            x = self.fresh("cb")
            if kind == "co":
                self.emit(f'print("{s}", [1, 2].map(fn({x}) {{ return yield {x} }}))')
            else:
                self.emit(f'print("{s}", [1, 2].map(fn({x}) {{ return {self.co_ref(ctx)}.next() }}))')
        elif what == "selfcancel":
            self.emit("if n > 2 { current_task().cancel() }")
        elif what == "wait":
            self.emit(f"for {self.fresh('w')} in range(3) {{ if st(tsk({self.r.randrange(self.n_task)})) != \"done\" {{ sleep(0) }} }}")
        elif what == "try":
            self.open("try")
            self.body(ctx, depth + 1, self.r.randint(1, 3))
            self.close(f' catch e {{ print("{s}", tag(e)) }}')
        elif what == "finally":
            self.open("try")
            self.body(ctx, depth + 1, self.r.randint(1, 3))
            self.indent -= 1
            if self.chance(0.3):
                self.emit(f'}} catch e {{ print("{s}c", tag(e)) }} finally {{')
            else:
                self.emit("} finally {")
            self.indent += 1
            self.emit(f'print("{s}f", n)' if ctx["fn"] else f'print("{s}f")')
            if self.chance(0.15):
                self.emit(self.pick(["yield 99", "sleep(0)", f"{self.chan()}.send(5)", "yield"]))
            if self.chance(0.1):
                self.emit(self.pick(['throw "from finally"', "return 7" if ctx["fn"] else "junk(5)"]))
            self.close()
        elif what == "loop":
            x = self.fresh("k")
            self.open(f"for {x} in range({self.r.randint(2, 4)})")
            if ctx["fn"]:
                self.emit("n += 1")
            if self.chance(0.3):
                self.emit(f"getters.push(fn() {{ return [\"{s}\", {x}] }})")
            self.body(ctx, depth + 1, self.r.randint(1, 3))
            if self.chance(0.2):
                self.emit(f"if {x} == 1 {{ {self.pick(['break', 'continue'])} }}")
            self.close()
        elif what == "if":
            self.open(f"if {'n' if ctx['fn'] else 'made'} % 2 == {self.r.randrange(2)}")
            self.body(ctx, depth + 1, self.r.randint(1, 2))
            self.close()

    def body(self, ctx, depth, count):
        for _ in range(count):
            if self.chance(0.6 if ctx["kind"] == "main" else 0.3):   # a try of its own, so one error does not end the whole body
                s = self.sid()
                self.open("try")
                self.stmt(ctx, depth + 1)
                self.close(f' catch e {{ print("{s}", tag(e)) }}')
            else:
                self.stmt(ctx, depth)

    def actor(self, kind, index):
        name = ("g" if kind == "co" else "t") + str(index)
        ctx = {"kind": kind, "index": index, "fn": True}
        self.open(f"fn {name}(a)")
        self.emit(f'let mine = ["{name}", a]')
        self.emit("let n = 0")
        self.emit("getters.push(fn() { return [mine, n] })")
        guard = self.chance(0.8)
        laps = kind == "co" and self.chance(0.5)
        if laps:   # a generator that lives on
            self.open(f"for lap in range({self.r.randint(2, 4)})")
        if guard:
            self.open("try")
        self.body(ctx, 1, self.r.randint(4, 12))
        if guard:
            self.close(f' catch e {{ print("{name} caught", tag(e)) }}')
        if laps:
            self.emit(f'yield ["{name} lap", lap]')
            self.close()
        if self.chance(0.5):
            self.emit(self.pick(["junk(30)", f'yield "{name} last"', "sleep(0)", f"print(\"{name} ends\", n)"]))
        self.emit(f'return ["{name} result", mine, n]')
        self.close()

    def generate(self):
        self.lines = PRELUDE.replace("{seed}", str(self.seed)).rstrip("\n").split("\n")
        for i in range(self.n_co):
            self.actor("co", i)
        for j in range(self.n_task):
            self.actor("task", j)
        ctx = {"kind": "main", "index": -1, "fn": False}
        for i in range(self.n_co):
            self.emit(f"gens.push(g{i}); cos.push(coroutine(g{i}, {self.value(ctx)}))")
        self.emit("for c in chs { spawn drain(c); spawn feed(c) }")   # helpers against an early deadlock
        for j in range(self.r.randint(1, self.n_task + 1)):
            self.emit(f"spawned += 1; ts.push(spawn t{self.r.randrange(self.n_task)}({self.value(ctx)}))")
        rounds = self.r.randint(3, 8)
        self.open(f"for round in range({rounds})")
        self.open("try")
        self.body(ctx, 1, self.r.randint(4, 10))
        self.close(' catch e { print("main caught", round, tag(e)) }')
        self.emit(f"sleep({self.pick(['0', '0.5', '1'])})")
        self.close()
        if self.chance(0.5):
            self.emit("for c in chs { c.close() }")
        self.emit("junk(300)")
        self.emit('for g in getters { print("G", g()) }')
        self.emit('for c in cos { print("CO", c.status) }')
        self.emit('for t in ts { print("T", t.name, t.status) }')
        # the tasks go on; the helpers end within 30 virtual seconds
        self.emit(self.pick(["sleep(40)", 'for t in ts { if st(t) != "blocked" { try { print("J", t.join()) } catch e { print("J", tag(e)) } } }']))
        self.emit("junk(100)")
        self.emit('for g in getters { print("H", g()) }')
        self.emit('for c in cos { print("CO", c.status) }')
        return "\n".join(self.lines) + "\n"


def generate(seed, have_select=False, have_finally=False):
    return Torture(seed, have_select, have_finally).generate()


# ---------------------------------------------------------------------------------------------
# The driver
# ---------------------------------------------------------------------------------------------

def build():
    cmd = ["nice", "-n", "19", "swift", "build", "--scratch-path", os.path.join(ROOT, ".build-asan"),
           "-Xswiftc", "-sanitize=address", "--product", "colang"]
    print("building the AddressSanitizer colang: " + " ".join(cmd[3:]), flush=True)
    subprocess.run(cmd, check=True, cwd=ROOT)
    return os.path.join(ROOT, ".build-asan", "debug", "colang")


def capabilities(binary):
    env = dict(os.environ, SWIFT_BACKTRACE="enable=no")
    help_text = subprocess.run([binary, "--help"], capture_output=True, text=True, env=env).stdout
    probe = subprocess.run([binary, "--clock", "virtual", "-e", "print(type(select))"],
                           capture_output=True, text=True, env=env)
    probe2 = subprocess.run([binary, "-e", "try { } finally { }"], capture_output=True, text=True, env=env)
    return ("--preempt" in help_text, probe.returncode == 0 and "function" in probe.stdout,
            probe2.returncode == 0)


class Torturer:
    def __init__(self, args, binary, preempt, have_select, have_finally):
        self.args = args
        self.binary = binary
        self.preempt = preempt
        self.have_select = have_select
        self.have_finally = have_finally
        self.lock = threading.Lock()
        self.runs = {}          # mode -> count
        self.seconds = {}       # mode -> wall seconds spent
        self.mode_findings = {}  # mode -> count
        self.kinds = {}         # kind -> count
        self.signatures = {}    # signature -> count
        self.inputs = 0
        self.slow = 0
        self.statuses = {}
        os.makedirs(args.findings, exist_ok=True)

    def runner(self, workdir, timeout):
        r = fuzzrun.Runner(self.binary, timeout, workdir, sanitized=True)
        r.env["ASAN_OPTIONS"] = os.environ.get(
            "ASAN_OPTIONS", "detect_leaks=1:hard_rss_limit_mb=3072:allocator_may_return_null=0")
        r.env["NO_COLOR"] = "1"
        return r

    def modes(self, n, r):
        seed = str(r.randrange(100000))
        m = [("plain", []), ("gc", ["--gc-stress"]),
             ("rand", ["--schedule", "random", "--seed", seed]),
             ("rand2", ["--schedule", "random", "--seed", seed])]
        if n % 3 == 0:
            m.append(("rand-gc", ["--schedule", "random", "--seed", seed, "--gc-stress"]))
        if self.preempt:
            for p in ("1", "7"):
                m.append((f"preempt{p}", ["--preempt", p]))
                m.append((f"preempt{p}-gc", ["--preempt", p, "--gc-stress"]))
        return m

    # pairs whose results must agree: (mode, must equal mode)
    PAIRS = [("gc", "plain"), ("rand2", "rand"), ("rand-gc", "rand"),
             ("preempt1-gc", "preempt1"), ("preempt7-gc", "preempt7")]

    def one(self, n, seed):
        source = generate(seed, self.have_select, self.have_finally).encode()
        workdir = tempfile.mkdtemp(prefix="colang-torture-")
        try:
            runner = self.runner(workdir, self.args.timeout)
            r = random.Random(seed)
            results = {}
            for mode, flags in self.modes(n, r):
                st, out, err, secs = runner.run(source, flags, "file", b"")
                results[mode] = (st, out, err, flags)
                with self.lock:
                    self.runs[mode] = self.runs.get(mode, 0) + 1
                    self.seconds[mode] = self.seconds.get(mode, 0.0) + secs
                    self.statuses[st] = self.statuses.get(st, 0) + 1
                kind, sig = self.classify(st, out, err, flags)
                if kind == "slow":
                    with self.lock:
                        self.slow += 1
                if sig is not None:
                    self.finding(n, seed, kind, sig, mode, source, [(flags, None)], runner,
                                 lambda c, fl=flags, sg=sig: self.classify(*runner.run(c, fl, "file", b"")[:3], fl)[1] == sg,
                                 (st, out, err))
            for a, b in self.PAIRS:
                if a in results and b in results:
                    ra, rb = results[a], results[b]
                    if ra[0] is None or rb[0] is None:
                        continue   # a timeout is judged above
                    if self.classify(*ra[:3], ra[3])[1] or self.classify(*rb[:3], rb[3])[1]:
                        continue   # already a finding of its own
                    diff = self.differs(ra, rb)
                    if diff:
                        # one signature for every gc-stress pair and one for the seed pair, so
                        # one cause is minimised once
                        sig = f"mismatch:{'gc-stress' if a.endswith('gc') else 'seed'}:{diff}"
                        fa, fb = ra[3], rb[3]

                        def keeps(c, fa=fa, fb=fb, diff=diff):
                            x = runner.run(c, fa, "file", b"")
                            y = runner.run(c, fb, "file", b"")
                            if x[0] is None or y[0] is None or x[0] == 65:
                                return False
                            return self.differs((x[0], x[1], x[2]), (y[0], y[1], y[2])) == diff
                        self.finding(n, seed, "mismatch", sig, a, source, [(fa, None), (fb, None)], runner, keeps,
                                     ra[:3], rb[:3])
        finally:
            shutil.rmtree(workdir, ignore_errors=True)
        with self.lock:
            self.inputs += 1

    @staticmethod
    def differs(ra, rb):
        if ra[0] != rb[0]:
            return "status"
        if ra[1] != rb[1]:
            return "stdout"
        if ra[2] != rb[2]:
            return "stderr"
        return None

    def classify(self, st, out, err, flags):
        text = err.decode("utf-8", "replace")
        if st is not None and "LeakSanitizer: detected memory leaks" in text and "ERROR: AddressSanitizer" not in text:
            line = next((l for l in text.splitlines() if "SUMMARY" in l), "leak")
            return "leak", "leak:" + re.sub(r"\d+", "N", line)[:100]
        kind, sig = fuzzrun.classify(st, out, err, flags)
        if kind == "fine" and st == 65:
            first = re.sub(r"\d+", "N", text.splitlines()[0] if text else "")
            return "syntax", "syntax:" + re.sub(r"'[^']*'", "Q", first.split("error:")[-1])[:80]
        if kind == "slow":
            return "slow", None
        return kind, sig

    def finding(self, n, seed, kind, sig, mode, source, flagsets, runner, keeps, res, res2=None):
        with self.lock:
            seen = self.signatures.get(sig, 0)
            self.signatures[sig] = seen + 1
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            self.mode_findings[mode] = self.mode_findings.get(mode, 0) + 1
        if seen == 0:
            print(f"[{n}] {kind} in mode {mode}: {sig} (program seed {seed})", flush=True)
        if seen >= 2:
            return
        name = "torture-" + kind + "-" + hashlib.sha1(sig.encode()).hexdigest()[:10] + (f"-{seen + 1}" if seen else "")
        d = os.path.join(self.args.findings, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "input.co"), "wb") as f:
            f.write(source)
        small = source
        if seen == 0 and self.args.minimise_budget > 0:
            budget = self.args.minimise_budget if kind != "hang" else min(self.args.minimise_budget, 4 * self.args.timeout)
            small = fuzzrun.delta(source, keeps, time.monotonic() + budget)
            with open(os.path.join(d, "min.co"), "wb") as f:
                f.write(small)
        runs = []
        for flags, _ in flagsets:
            st, out, err, _ = runner.run(small, flags, "file", b"")
            runs.append((flags, st, out, err))
        with open(os.path.join(d, "report.txt"), "w") as f:
            f.write(f"kind: {kind}\nsignature: {sig}\nmode: {mode}\nprogram seed: {seed}\nbinary: {self.binary}\n"
                    f"minimised: {'yes' if small is not source else 'no'}\n")
            for flags, st, out, err in runs:
                f.write(f"\n=== colang {' '.join(BASE + flags)} min.co: status {st}\n--- stderr ---\n"
                        f"{err.decode('utf-8', 'replace')[:4000]}\n--- stdout ---\n"
                        f"{out.decode('utf-8', 'replace')[:4000]}\n")
            f.write(f"\n=== the original input, mode {mode}: status {res[0]}\n--- stderr ---\n"
                    f"{res[2].decode('utf-8', 'replace')[:3000]}\n")
            if res2 is not None:
                f.write(f"=== its counterpart: status {res2[0]}\n--- stderr ---\n"
                        f"{res2[2].decode('utf-8', 'replace')[:3000]}\n")

    def go(self):
        seed = self.args.seed if self.args.seed is not None else int(time.time())
        master = random.Random(seed)
        started = time.monotonic()
        print(f"torturing {self.binary} for {self.args.seconds:.0f} s, seed {seed}, {self.args.jobs} job(s), "
              f"preempt {'yes' if self.preempt else 'no'}, select {'yes' if self.have_select else 'no'}, "
              f"finally {'yes' if self.have_finally else 'no'}", flush=True)
        last = started
        n = 0
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            pending = set()
            while True:
                now = time.monotonic()
                while len(pending) < self.args.jobs and now - started < self.args.seconds:
                    n += 1
                    pending.add(pool.submit(self.one, n, master.randrange(1 << 40)))
                if not pending:
                    break
                done, pending = concurrent.futures.wait(pending, timeout=5,
                                                         return_when=concurrent.futures.FIRST_COMPLETED)
                for fut in done:
                    fut.result()
                if time.monotonic() - last > 60:
                    last = time.monotonic()
                    print(f"  {self.inputs} inputs in {last - started:.0f} s, findings {self.kinds}", flush=True)
        elapsed = time.monotonic() - started
        total = sum(self.signatures.values())
        summary = (f"torture seed {seed}: {self.inputs} inputs in {elapsed:.0f} s "
                   f"(binary {self.binary}; modes: {', '.join(m for m, _ in self.modes(0, random.Random(0)))})\n"
                   f"runs per mode: {dict(sorted(self.runs.items()))}\n"
                   f"seconds per mode: { {k: round(v) for k, v in sorted(self.seconds.items())} }\n"
                   f"exit statuses: { {str(k): v for k, v in sorted(self.statuses.items(), key=lambda kv: str(kv[0]))} }\n"
                   f"slow (gc-stress timeouts, not findings): {self.slow}\n"
                   f"findings: {total} {dict(self.kinds)}; per mode {dict(self.mode_findings)}; distinct {len(self.signatures)}\n" +
                   "".join(f"  {v:6d} x {k}\n" for k, v in sorted(self.signatures.items(), key=lambda kv: -kv[1])))
        print(summary, flush=True)
        with open(os.path.join(self.args.findings, "runs.log"), "a") as f:
            f.write(time.strftime("%Y-%m-%d %H:%M:%S ") + summary)
        return total


def main():
    ap = argparse.ArgumentParser(description="torture tester for the coroutine and task core")
    ap.add_argument("seconds", type=float, nargs="?", default=60.0)
    ap.add_argument("--binary", default=None, help="an ASan colang (default: build .build-asan/debug/colang)")
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=30.0, help="wall-clock seconds per run")
    ap.add_argument("--minimise-budget", type=float, default=240.0, help="seconds per distinct finding")
    ap.add_argument("--findings", default=os.path.join(HERE, "findings"))
    ap.add_argument("--print", type=int, metavar="SEED", default=None, help="print one program and exit")
    ap.add_argument("--select", action="store_true", help="with --print: use select")
    ap.add_argument("--finally", dest="fin", action="store_true", help="with --print: use finally")
    args = ap.parse_args()
    if args.print is not None:
        sys.stdout.write(generate(args.print, args.select, args.fin))
        return 0
    binary = os.path.abspath(args.binary or build())
    preempt, have_select, have_finally = capabilities(binary)
    total = Torturer(args, binary, preempt, have_select, have_finally).go()
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())

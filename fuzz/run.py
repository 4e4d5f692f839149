#!/usr/bin/env python3
"""The fuzzing driver: builds `colang` once, then feeds it generated and mutated programs.

    python3 fuzz/run.py SECONDS [--seed N] [--no-build] [--bin PATH] [--timeout S]

Every input runs as `colang --clock virtual --max-steps 200000 --max-memory 256 [extra flags] FILE`
(sometimes through standard input or `-e`), one at a time, with a wall-clock timeout. Results:

  fine      exit 0, 65 or 70, with nothing alarming on stderr
  crash     killed by a signal, an exit status >= 128 other than 130, or stderr with Swift runtime
            error text ("Fatal error", "Swift runtime failure", "Illegal instruction",
            "Segmentation", "Stack dump", "internal error")
  hang      still running after the timeout (the step limit should have stopped it)
  slow      a timeout under --gc-stress (a collection at every allocation is quadratic by design)
  odd-exit  any other exit status (64, 66, ...)
  no-loc    exit 65/70 whose report has no file:line:column (and is not a deadlock, a failed
            task or a limit): a learner cannot find the problem

Crashes, hangs and odd exits are minimised (lines, then characters, keeping the same signature)
and saved under fuzz/findings/ (git-ignored): one directory per distinct signature. A summary of
the run is printed at the end and written to fuzz/findings/last-run.txt.
"""
import argparse
import hashlib
import os
import random
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)
import gen      # noqa: E402
import mutate   # noqa: E402

BASE_FLAGS = ["--clock", "virtual", "--max-steps", "200000", "--max-memory", "256"]
ALARMS = ["Fatal error", "Swift runtime failure", "Illegal instruction", "Segmentation",
          "Stack dump", "internal error", "Internal error", "Current stack trace", "AddressSanitizer",
          "LeakSanitizer", "precondition", "Assertion failed", "unexpectedly found nil", "SUMMARY:"]
LOCATION = re.compile(r":\d+:\d+")
NO_LOCATION_OK = ["deadlock: all tasks are blocked", "error in task", "interrupted",
                  "step limit", "memory limit", "max-steps", "max-memory", "too many"]


def build():
    """Builds a release `colang` from a snapshot of the sources, so that edits made by others
    while the compiler runs neither break the build nor change the binary under test."""
    scratch = os.path.join(ROOT, ".build-fuzz")
    snap = os.path.join(scratch, "snapshot")
    print(f"building colang (release) from a snapshot in {snap}...", flush=True)
    os.makedirs(snap, exist_ok=True)
    for name in ("Package.swift", "Package.resolved"):
        if os.path.exists(os.path.join(ROOT, name)):
            shutil.copy2(os.path.join(ROOT, name), os.path.join(snap, name))
    shutil.rmtree(os.path.join(snap, "Sources"), ignore_errors=True)
    shutil.copytree(os.path.join(ROOT, "Sources"), os.path.join(snap, "Sources"))  # keeps mtimes
    tests = os.path.join(snap, "Tests", "CoLangTests")  # the manifest names a test target
    os.makedirs(os.path.join(tests, "conformance"), exist_ok=True)
    if not os.path.exists(os.path.join(tests, "Stub.swift")):
        with open(os.path.join(tests, "Stub.swift"), "w") as f:
            f.write("// the fuzz build does not build tests\n")
    cmd = ["nice", "-n", "19", "swift", "build", "-c", "release", "--package-path", snap,
           "--scratch-path", os.path.join(scratch, "build"), "--product", "colang"]
    subprocess.run(cmd, check=True)
    out = subprocess.run(cmd + ["--show-bin-path"], check=True, capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), "colang")


def limit_child():
    os.nice(19)
    # A runaway allocation must not take the shared machine down: 4 GB of address space.
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def limit_sanitized_child():
    # ASan reserves terabytes of shadow address space, so no RLIMIT_AS: its own
    # hard_rss_limit_mb (set in ASAN_OPTIONS) guards the machine instead.
    os.nice(19)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class Runner:
    def __init__(self, binary, timeout, workdir, sanitized=False):
        self.binary = binary
        self.timeout = timeout
        self.workdir = workdir
        self.sanitized = sanitized
        self.env = dict(os.environ)
        if sanitized:
            self.env["SWIFT_BACKTRACE"] = "enable=no"  # its stack reads look like underflows to ASan
            self.env.setdefault("ASAN_OPTIONS", "detect_leaks=0:hard_rss_limit_mb=4096:allocator_may_return_null=0")

    def run(self, source, flags, mode, stdin):
        """Runs one input; returns (status, stdout, stderr, seconds). status None: timed out."""
        path = os.path.join(self.workdir, "input.co")
        with open(path, "wb") as f:
            f.write(source)
        argv = [self.binary] + BASE_FLAGS + flags
        feed = stdin
        if mode == "stdin":
            argv += ["-"]
            feed = source
        elif mode == "e" and len(source) < 100_000:  # argv has a size limit (E2BIG)
            argv += ["-e", source.decode("utf-8", "replace").replace("\x00", "")]
        else:
            argv += [path]
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                preexec_fn=limit_sanitized_child if self.sanitized else limit_child,
                                start_new_session=True, cwd=self.workdir, env=self.env)
        try:
            out, err = proc.communicate(feed, timeout=self.timeout)
            status = proc.returncode
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            out, err = proc.communicate()
            status = None
        return status, out, err, time.monotonic() - start


MODE_FLAGS = ("--trace", "--trace-sched", "--timeline", "--explore", "--dis", "--gc-stress")


def lifted_step_limit(flags):
    """True when the last --max-steps among the extra flags is the extreme value: no limit."""
    values = [flags[i + 1] for i, f in enumerate(flags[:-1]) if f == "--max-steps"]
    return bool(values) and values[-1] == "9223372036854775807"


def classify(status, out, err, flags=()):
    """Returns (kind, signature) or ('fine', None)."""
    text = err.decode("utf-8", "replace")
    if status is None:
        if "--gc-stress" in flags:
            # A collection at every allocation makes a program with a big live set quadratic:
            # slow by design, not a hang of the interpreter.
            return "slow", None
        if lifted_step_limit(flags):
            # The extreme --max-steps lifts the step limit: an endless program runs on, as asked.
            return "slow", None
        return "hang", "hang" + ("".join(":" + f.lstrip("-") for f in flags if f in MODE_FLAGS))
    for alarm in ALARMS:
        if alarm in text:
            line = next((l for l in text.splitlines() if alarm in l), alarm)
            line = re.sub(r"0x[0-9a-f]+|\d+", "N", line)[:120]
            return "crash", f"alarm:{line}"
    if status < 0:
        return "crash", f"signal:{-status}"
    if status >= 128 and status != 130:
        return "crash", f"exit:{status}"
    if status == 64 and text.startswith("colang: "):
        return "fine", None  # a usage error for an out-of-range flag value (the extreme limits)
    if status not in (0, 65, 70):
        first = re.sub(r"'[^']*'", "Q", text.splitlines()[0]) if text else ""
        return "odd-exit", f"exit:{status}:{re.sub(r'[^a-z ]', '', first.lower())[:60]}"
    if status in (65, 70) and text and not LOCATION.search(text):
        if not any(s in text for s in NO_LOCATION_OK):
            # One signature per exit status: the message text varies with the program.
            return "no-loc", f"no-loc:exit:{status}"
    return "fine", None


def minimise(runner, source, flags, mode, stdin, signature, budget):
    """Greedy delta debugging (lines, then chunks of bytes) that keeps `signature`."""
    deadline = time.monotonic() + budget

    def same(candidate):
        st, out, err, _ = runner.run(candidate, flags, mode, stdin)
        return classify(st, out, err, flags)[1] == signature

    return delta(source, same, deadline)


def delta(source, keeps, deadline):
    """Greedy delta debugging over lines, then chunks of bytes: the smallest `source` found
    before `deadline` (a time.monotonic() value) for which `keeps(candidate)` is still true.
    torture.py uses it with its own predicates."""
    def same(candidate):
        return time.monotonic() <= deadline and keeps(candidate)

    for unit in ("lines", "bytes"):
        parts = source.split(b"\n") if unit == "lines" else [bytes([b]) for b in source]
        joiner = b"\n" if unit == "lines" else b""
        if unit == "bytes" and len(parts) > 4000:
            break
        chunk = max(1, len(parts) // 2)
        while chunk >= 1 and time.monotonic() < deadline:
            i, changed = 0, False
            while i < len(parts) and time.monotonic() < deadline:
                candidate = parts[:i] + parts[i + chunk:]
                if candidate and same(joiner.join(candidate)):
                    parts, changed = candidate, True
                else:
                    i += chunk
            if not changed:
                chunk //= 2
        source = joiner.join(parts)
    return source


def pick_flags(r):
    flags = []
    if r.random() < 0.2:
        flags += ["--schedule", "random", "--seed", str(r.randrange(1000))]
    elif r.random() < 0.2:
        flags += ["--seed", str(r.randrange(1000))]
    x = r.random()
    if x < 0.04:
        flags += ["--dis"]
    elif x < 0.07:
        flags += ["--trace-sched"]
    elif x < 0.09:
        flags += ["--timeline"]
    elif x < 0.10:
        flags += ["--explore", "3"]
    elif x < 0.11:
        flags += ["--trace"]
    elif x < 0.13:
        flags += ["--gc-stress"]
    if r.random() < 0.02:  # extreme limits (the later flag wins over the base one)
        flags += r.choice([["--max-steps", "9223372036854775807"], ["--max-steps", "1"],
                           ["--max-memory", "9223372036854775807"], ["--max-memory", "1"]])
    return flags


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("seconds", type=float)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--bin", default=None)
    ap.add_argument("--timeout", type=float, default=15.0)
    ap.add_argument("--minimise-budget", type=float, default=120.0)
    ap.add_argument("--findings", default=os.path.join(HERE, "findings"))
    ap.add_argument("--only", choices=["gen", "mutate"], default=None)
    ap.add_argument("--sanitized", action="store_true",
                    help="the binary is an ASan build (e.g. .build-asan/debug/colang): no address-space limit")
    args = ap.parse_args()

    binary = args.bin or (None if args.no_build else build())
    if binary is None:
        binary = os.path.join(ROOT, ".build-fuzz", "build", "release", "colang")
    binary = os.path.abspath(binary)
    seed = args.seed if args.seed is not None else int(time.time())
    r = random.Random(seed)
    os.makedirs(args.findings, exist_ok=True)

    corpus_paths = []
    for base in (os.path.join(ROOT, "Tests", "CoLangTests", "conformance"), os.path.join(ROOT, "examples")):
        for dirpath, _, files in os.walk(base):
            corpus_paths += [os.path.join(dirpath, f) for f in files if f.endswith(".co")]
    corpus = mutate.load(sorted(corpus_paths))
    corpus += [gen.generate(seed * 1000 + i).encode() for i in range(50)]
    mutator = mutate.Mutator(seed, corpus)

    workdir = tempfile.mkdtemp(prefix="colang-fuzz-")
    runner = Runner(binary, args.timeout, workdir, args.sanitized)
    counts = {"fine": 0, "crash": 0, "hang": 0, "odd-exit": 0, "no-loc": 0, "slow": 0}
    exits = {}
    signatures = {}
    started = time.monotonic()
    last_report = started
    n = 0
    print(f"fuzzing {binary} for {args.seconds:.0f} s, seed {seed}", flush=True)
    try:
        while time.monotonic() - started < args.seconds:
            n += 1
            strategy = args.only or ("gen" if r.random() < 0.5 else "mutate")
            if strategy == "gen":
                source = gen.generate(r.randrange(1 << 40)).encode()
            else:
                source = mutator.mutate(r.choice(corpus))
            flags = pick_flags(r)
            mode = r.choices(["file", "stdin", "e"], [0.85, 0.1, 0.05])[0]
            stdin = r.choice([b"", b"one\ntwo\n", b"no newline", b"\xff\xfe\n", b"x" * 100000])
            status, out, err, secs = runner.run(source, flags, mode, stdin)
            exits[status] = exits.get(status, 0) + 1
            kind, sig = classify(status, out, err, flags)
            counts[kind] += 1
            if sig is not None:
                seen = signatures.get(sig, 0)
                signatures[sig] = seen + 1
                if seen == 0:
                    print(f"[{n}] {kind}: {sig} ({strategy}, flags {flags}, mode {mode})", flush=True)
                if seen < 3:  # the first three of each kind; only the first is minimised
                    save(args, runner, kind, sig, source, flags, mode, stdin, out, err, status, seen)
            now = time.monotonic()
            if now - last_report > 60:
                last_report = now
                print(f"  {n} inputs in {now - started:.0f} s: {counts}", flush=True)
    finally:
        elapsed = time.monotonic() - started
        summary = (f"seed {seed}: {n} inputs in {elapsed:.0f} s\n"
                   f"results: {counts}\n"
                   f"exit statuses: { {str(k): v for k, v in sorted(exits.items(), key=lambda kv: str(kv[0]))} }\n"
                   f"distinct findings: {len(signatures)}\n" +
                   "".join(f"  {v:6d} x {k}\n" for k, v in sorted(signatures.items(), key=lambda kv: -kv[1])))
        print(summary, flush=True)
        with open(os.path.join(args.findings, "last-run.txt"), "w") as f:
            f.write(summary)
        with open(os.path.join(args.findings, "runs.log"), "a") as f:
            f.write(time.strftime("%Y-%m-%d %H:%M:%S ") + summary)
        shutil.rmtree(workdir, ignore_errors=True)


def save(args, runner, kind, sig, source, flags, mode, stdin, out, err, status, index=0):
    name = kind + "-" + hashlib.sha1(sig.encode()).hexdigest()[:10] + (f"-{index + 1}" if index else "")
    d = os.path.join(args.findings, name)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "input.co"), "wb") as f:
        f.write(source)
    budget = args.minimise_budget if kind != "hang" else min(args.minimise_budget, 6 * runner.timeout)
    if kind in ("crash", "hang", "odd-exit") and index == 0:
        small = minimise(runner, source, flags, mode, stdin, sig, budget)
        with open(os.path.join(d, "min.co"), "wb") as f:
            f.write(small)
        status2, out, err, _ = runner.run(small, flags, mode, stdin)
        status = status2
    with open(os.path.join(d, "report.txt"), "w") as f:
        f.write(f"kind: {kind}\nsignature: {sig}\nflags: {' '.join(BASE_FLAGS + flags)}\nmode: {mode}\n"
                f"stdin: {stdin[:80]!r}\nstatus: {status}\n--- stderr ---\n"
                f"{err.decode('utf-8', 'replace')[:4000]}\n--- stdout (head) ---\n"
                f"{out.decode('utf-8', 'replace')[:2000]}\n")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the conformance suite and the examples through a `colang` binary (e.g. one built with
AddressSanitizer) and checks the same `# expect...` comments as ConformanceTests.swift, plus that
stderr holds no sanitizer or Swift runtime report.

    python3 fuzz/conformance.py BINARY [--filter TEXT] [--timeout S] [--gc-stress] [--jobs N]

Exit status 0 when every file conforms and no report appeared. A summary line
`N passed, N failed` closes the output.
"""
import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
CONFORMANCE = os.path.join(ROOT, "Tests", "CoLangTests", "conformance")
EXAMPLES = os.path.join(ROOT, "examples")
REPORTS = ["AddressSanitizer", "LeakSanitizer", "ThreadSanitizer", "UndefinedBehaviorSanitizer",
           "runtime error:", "Fatal error", "Swift runtime failure", "SUMMARY:"]


def spec_of(text):
    spec = {"stdout": [], "stderr": [], "exit": 0, "flags": [], "stdin": [], "reproducible": False,
            "skip_gc_stress": False}
    for line in text.split("\n"):
        line = line[:-1] if line.endswith("\r") else line

        def directive(marker):
            i = line.find(marker)
            if i < 0:
                return None
            rest = line[i + len(marker):]
            return rest[1:] if rest.startswith(" ") else rest
        for marker, key in (("# expect-stderr:", "stderr"), ("# expect-exit:", "exit"), ("# expect:", "stdout"),
                            ("# flags:", "flags"), ("# stdin:", "stdin")):
            value = directive(marker)
            if value is not None:
                if key == "exit":
                    spec["exit"] = int(value.strip())
                elif key == "flags":
                    spec["flags"] += value.split()
                else:
                    spec[key].append(value)
                break
        else:
            if "# reproducible" in line:
                spec["reproducible"] = True
            elif "# skip-gc-stress" in line:
                spec["skip_gc_stress"] = True
    return spec


def files(filter_text):
    out = []
    for base, prefix in ((CONFORMANCE, ""), (EXAMPLES, "examples/")):
        for dirpath, _, names in os.walk(base):
            for n in names:
                if n.endswith(".co"):
                    rel = os.path.relpath(os.path.join(dirpath, n), base)
                    out.append((prefix + rel, base, rel))
    out.sort()
    wanted = [w for w in filter_text.split(",") if w]  # several substrings: a file matching any
    return [f for f in out if not wanted or any(w in f[0] for w in wanted)]


def run_one(binary, name, base, rel, timeout, gc_stress=False, record=False):
    with open(os.path.join(base, rel), encoding="utf-8") as f:
        spec = spec_of(f.read())
    if gc_stress and spec["skip_gc_stress"]:
        return None, "", 0.0
    flags = list(spec["flags"])
    script_args = []
    if "--args" in flags:
        i = flags.index("--args")
        flags, script_args = flags[:i], flags[i + 1:]
    if gc_stress:
        flags.append("--gc-stress")
    page = None
    if record and not {"--explore", "--dis", "--record"} & set(flags):
        fd, page = tempfile.mkstemp(suffix=".html")
        os.close(fd)
        flags += ["--record", page]
    if name.startswith("examples/") and "--clock" not in flags:
        flags += ["--clock", "virtual"]
    cwd = ROOT if name.startswith("examples/") else CONFORMANCE
    path = name if name.startswith("examples/") else rel
    stdin = "".join(line + "\n" for line in spec["stdin"])
    env = dict(os.environ, NO_COLOR="1")
    start = time.monotonic()
    try:
        p = subprocess.run([binary] + flags + [path] + script_args, cwd=cwd, input=stdin.encode(),
                           capture_output=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired:
        return ["timed out"], "", time.monotonic() - start
    out = p.stdout.decode("utf-8", "replace")
    err = p.stderr.decode("utf-8", "replace")
    problems = []
    if p.returncode != spec["exit"]:
        problems.append(f"exit {p.returncode}, expected {spec['exit']}")
    expected = "".join(s + "\n" for s in spec["stdout"])
    if not (not spec["stdout"] and (name.startswith("examples/") or spec["reproducible"])) and out != expected:
        problems.append("stdout differs")
    pos = 0
    for wanted in spec["stderr"]:
        i = err.find(wanted, pos)
        if i < 0:
            problems.append(f"stderr lacks {wanted!r}")
            break
        pos = i + len(wanted)
    for r in REPORTS:
        if r in err:
            problems.append(f"stderr has a report: {r}")
    if page:
        problems += check_recording(page, out, p.returncode, not name.startswith("examples/"))
        os.unlink(page)
    return problems, err, time.monotonic() - start


def check_recording(page, stdout, exit_code, deterministic):
    """--record: the page holds the run's data, and its output is what the program printed."""
    try:
        with open(page, encoding="utf-8") as f:
            html = f.read()
    except OSError as e:
        return [f"--record wrote no page: {e}"]
    if exit_code == 64 or not html:
        return []  # a usage error (a bad flag in the file's own # flags: line) records nothing
    start = html.find('<script type="application/json" id="run-data">')
    end = html.find("</script>", start)
    if start < 0 or end < 0:
        return ["--record page has no run data"]
    try:
        run = json.loads(html[start + len('<script type="application/json" id="run-data">'):end])
    except ValueError as e:
        return [f"--record page's data is not JSON: {e}"]
    problems = []
    if not run["steps"]:
        problems.append("--record page has no steps")
    if run["exit"] != exit_code:
        problems.append(f"--record page says exit {run['exit']}, the run exited {exit_code}")
    # The recorded output, less what went to stderr, is the program's stdout (unless the
    # recording stopped early, or the run's output depends on the real clock).
    units = run["output"].encode("utf-16-le")  # the page counts UTF-16 code units, as JavaScript does
    printed, at = b"", 0
    for a, b in run["errors"]:
        printed += units[2 * at:2 * a]
        at = b
    printed = (printed + units[2 * at:]).decode("utf-16-le")
    if deterministic and not run["truncated"] and printed != stdout:
        problems.append("--record page's output differs from what the program printed")
    return problems


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--filter", default="", help="only files whose name contains this (or any of a,b,c)")
    ap.add_argument("--timeout", type=float, default=300)
    ap.add_argument("--gc-stress", action="store_true", help="collect at every allocation (skips # skip-gc-stress files)")
    ap.add_argument("--record", action="store_true",
                    help="also record each run (--record) and check the page's data and output")
    ap.add_argument("--jobs", type=int, default=1, help="files run at once (the report keeps file order)")
    args = ap.parse_args()
    passed = failed = skipped = 0
    slow = []
    binary = os.path.abspath(args.binary)
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = pool.map(lambda f: (f[0],) + tuple(run_one(binary, f[0], f[1], f[2], args.timeout, args.gc_stress, args.record)),
                           files(args.filter))
    for name, problems, err, secs in results:
        slow.append((secs, name))
        if problems is None:
            skipped += 1
        elif problems:
            failed += 1
            print(f"FAIL {name}: {'; '.join(problems)}")
            reports = [l for l in err.splitlines() if any(r in l for r in REPORTS)]
            for line in (reports or err.splitlines())[:12]:
                print("    " + line[:300])
        else:
            passed += 1
        sys.stdout.flush()
    slow.sort(reverse=True)
    print("slowest: " + ", ".join(f"{n} {s:.1f}s" for s, n in slow[:5]))
    print(f"{passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()

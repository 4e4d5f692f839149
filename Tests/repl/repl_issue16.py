#!/usr/bin/env python3
# Drives the `colang` REPL in a pseudo-terminal through issue 16's behaviours, as a person types them:
# :auto off holds tasks, a # comment after a :command, a CPU-hogging task, :load, completion by type.
"""Usage: repl_issue16.py [PATH/TO/colang]   (default: .build/debug/colang from the repository root)

Exits 0 when every check passes; otherwise prints what was expected and what the REPL showed.
"""
import os
import re
import sys
import tempfile
import time

import pexpect

from repl_smoke import PROMPT, CONTINUATION, check, default_binary, enter, start


def held_tasks(child):
    """Issue 16, item 1: with :auto off nothing spawned runs until :step or :run."""
    enter(child, ":auto off")
    enter(child, 'let a = spawn fn() { print("A ran") }')
    shown = enter(child, "1 + 1")
    check(":auto off: an input does not let a held task run", "A ran" not in shown and "2" in shown, shown)
    shown = enter(child, "yield()")
    check(":auto off: even the input's yield() keeps it held", "A ran" not in shown, shown)
    time.sleep(0.3)
    shown = enter(child, "a.status")
    check(":auto off: the task is still ready", '"ready"' in shown and "A ran" not in shown, shown)
    shown = enter(child, ":step")
    check(":step runs the held task", "A ran" in shown and "finished" in shown, shown)
    enter(child, 'let b = spawn fn() { print("B ran"); return 7 }')
    shown = enter(child, "b.join()")
    check(":auto off: an input that waits for a task lets it run", "B ran" in shown and "7" in shown, shown)
    enter(child, 'let c = spawn fn() { print("C ran") }')
    shown = enter(child, ":run")
    check(":run runs the held tasks", "C ran" in shown, shown)
    enter(child, ":auto on")


def command_comments(child):
    """Issue 16, item 2: a # comment after any :command."""
    shown = enter(child, ":auto off   # hold background tasks")
    check(":auto off # comment is accepted", "usage" not in shown, shown)
    shown = enter(child, ":auto  # what is it now?")
    check(":auto # comment shows the setting", ":auto is off" in shown, shown)
    enter(child, ":auto on # and back")
    shown = enter(child, ":step 2 # two steps")
    check(":step N # comment", "usage" not in shown, shown)


def hog(child):
    """Issue 16, item 3: a task that never yields keeps the prompt usable; Ctrl-C pauses it."""
    enter(child, "let hog = spawn fn() { while true {} }")
    started = time.monotonic()
    child.expect_exact("without yielding", timeout=5)
    child.expect_exact("Ctrl-C pauses it")
    check("the REPL says within seconds that a task hogs the CPU and that Ctrl-C pauses it",
          time.monotonic() - started < 3, child.before)
    child.expect_exact(PROMPT)
    # Type while the hog runs: every key must arrive and the input must run.
    shown = enter(child, "40 + 2")
    check("typed input is not lost while a task hogs the CPU", re.search(r"\n42\r?\n", shown) is not None, shown)
    child.send("let typed = 1")
    time.sleep(0.3)
    child.sendintr()
    child.expect_exact("paused task#")
    child.expect_exact(PROMPT + "let typed = 1")  # the prompt comes back with the typed text
    child.sendline(" + 1")  # the line typed before Ctrl-C is still there
    child.expect_exact(PROMPT)
    shown = enter(child, "typed")
    check("Ctrl-C pauses the hog and keeps the line being typed", re.search(r"\n2\r?\n", shown) is not None, shown)
    shown = enter(child, ":tasks")
    check(":tasks shows the hog paused", "(paused)" in shown, shown)
    shown = enter(child, "hog.cancel()")
    shown = enter(child, "hog.status")
    check("the paused hog can be cancelled", '"cancelled"' in shown, shown)


def load(child, workdir):
    """Issue 16, item 4: :load FILE runs as `colang FILE` does, keeping the definitions."""
    good = os.path.join(workdir, "defs.co")
    with open(good, "w") as f:
        f.write('fn double(x) { return x * 2 }\nlet loaded = double(21)\n"not echoed"\n1 + 1\n')
    shown = enter(child, f":load {good}")
    check(":load does not echo the file's expression statements",
          "not echoed" not in shown.split("\n", 1)[-1] and "\n2\r" not in shown, shown)
    shown = enter(child, "loaded")
    check(":load keeps the file's definitions", re.search(r"\n42\r?\n", shown) is not None, shown)
    bad = os.path.join(workdir, "bad.co")
    with open(bad, "w") as f:
        f.write('let fine = 1\n\nprint(no_such_name)\n')
    shown = enter(child, f":load {bad}")
    check(":load's runtime error names the file and line", f"{bad}:3" in shown and "<repl>" not in shown, shown)
    unfinished = os.path.join(workdir, "unfinished.co")
    with open(unfinished, "w") as f:
        f.write('fn f() {\n  return 1\n')
    shown = enter(child, f":load {unfinished}")
    check(":load's syntax error names the file", f"{unfinished}:" in shown, shown)
    shown = enter(child, "fine")
    check("definitions before the error are kept", re.search(r"\n1\r?\n", shown) is not None, shown)


def completion(child):
    """Issue 16, item 6: Tab after `xs.` offers what the value of `xs` has."""
    enter(child, "let xs = [3, 1, 2]")
    enter(child, "let ch = channel(1)")
    child.send("xs.p\t\t")
    child.expect_exact("push")
    shown = child.before + child.after
    child.expect_exact(PROMPT + "xs.p")  # the list, then the prompt and the line again
    shown += child.before
    check("Tab after xs.p offers the list's pop and push only", "pop" in shown and "recv" not in shown, shown)
    child.send("ush(4)\n")
    child.expect_exact(PROMPT)
    child.send("ch.s\t(5)\n")  # completes to ch.send (the only channel member starting with s)
    child.expect_exact(PROMPT)
    shown = enter(child, "ch.recv()")
    check("Tab completes a channel's method", "\n5\r\n" in shown, shown)
    shown = enter(child, "xs")
    check("the completed input ran", "[3, 1, 2, 4]" in shown, shown)
    child.send("ch.cap\t\n")
    child.expect_exact(PROMPT)
    check("Tab completes a channel's field", "ch.capacity" in child.before and "1" in child.before, child.before)


def times_for_people(child):
    """Issue 16, item 7: :step and :tasks show rounded times, offsets only with -v, 80 columns."""
    enter(child, ":auto off")
    enter(child, "fn napper() { sleep(3) ; sleep(1) }")
    enter(child, "let a = spawn napper()")
    enter(child, "let b = spawn napper()")
    shown = enter(child, ":step")
    check(":step names no bytecode offset", re.search(r"sleeps until t=\d+\.\d\ds\r?\n", shown)
          and "next:" not in shown, shown)
    shown = enter(child, ":step -v")
    check(":step -v adds the bytecode instruction", "(next: " in shown, shown)
    shown = enter(child, ":tasks")
    check(":tasks shows times rounded", re.search(r"timer t=\d+\.\d\ds ", shown)
          and re.search(r" \d+\.\d\d ms", shown), shown)
    for command in (":help", ":tasks", ":step 2"):
        shown = enter(child, command)
        wide = [line for line in shown.splitlines() if len(line.rstrip("\r")) > 80]
        check(f"{command} fits in 80 columns", not wide, wide)


def bare_words(child):
    """Issue 16, item 3: help, exit and quit typed alone just work."""
    shown = enter(child, "help")
    check("help alone lists the builtins", "help(x) tells more" in shown and "<fn help>" not in shown, shown)
    child.sendline("exit")
    child.expect(pexpect.EOF)


def seed_is_said(binary, workdir):
    """Issue 16, item 6: --schedule random without --seed says which seed it picked, and that
    seed replays the same interleaving."""
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", HOME=workdir)
    program = os.path.join(workdir, "race.co")
    with open(program, "w") as f:
        f.write('for i in range(4) { spawn fn() { for k in range(3) { print("task", i, k); yield } } }\n')
    child = pexpect.spawn(binary, ["--schedule", "random", program], env=env, encoding="utf-8", timeout=20)
    child.expect(pexpect.EOF)
    shown = child.before
    found = re.search(r"\(seed (\d+)\)", shown)
    check("--schedule random says (seed N)", found is not None, shown)
    order = [line for line in shown.splitlines() if line.startswith("task")]
    again = pexpect.spawn(binary, ["--schedule", "random", "--seed", found.group(1), program], env=env,
                          encoding="utf-8", timeout=20)
    again.expect(pexpect.EOF)
    replay = [line for line in again.before.splitlines() if line.startswith("task")]
    check("--seed N replays the order it printed", replay == order, again.before)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else default_binary()
    with tempfile.TemporaryDirectory() as workdir:
        try:
            seed_is_said(binary, workdir)
        except (AssertionError, pexpect.ExceptionPexpect) as failure:
            print(f"FAIL (seed): {failure}", file=sys.stderr)
            return 1
        for name, checks in [("held tasks", held_tasks), ("command comments", command_comments), ("hog", hog),
                             ("load", lambda child: load(child, workdir)), ("completion", completion),
                             ("times for people", times_for_people), ("bare words", bare_words)]:
            child = start(binary, workdir)
            try:
                checks(child)
                if child.isalive():
                    child.sendline(":quit")
                    child.expect(pexpect.EOF)
            except (AssertionError, pexpect.ExceptionPexpect) as failure:
                print(f"FAIL ({name}): {failure}\nlast output: {child.before!r}", file=sys.stderr)
                child.terminate(force=True)
                return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

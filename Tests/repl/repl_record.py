#!/usr/bin/env python3
# Drives `:record` in the REPL in a pseudo-terminal, as a person types it (issue 15): the page is
# written at once, rewritten after each input with what ran (inputs and background tasks), and
# `:record off` stops; `colang --record FILE.html` with no script starts the REPL recording.
"""Usage: repl_record.py [PATH/TO/colang]   (default: .build/debug/colang from the repository root)

Exits 0 when every check passes; otherwise prints what was expected and what the REPL showed.
"""
import json
import os
import sys
import tempfile
import time

import pexpect

from repl_smoke import PROMPT, check, default_binary, enter, start

DATA = '<script type="application/json" id="run-data">'


def recording(path):
    with open(path, encoding="utf-8") as f:
        html = f.read()
    start_at = html.index(DATA) + len(DATA)
    return json.loads(html[start_at:html.index("</script>", start_at)])


def record_session(child, workdir):
    page = os.path.join(workdir, "session.html")
    shown = enter(child, ":record")
    check(":record alone says it is not recording", "not recording" in shown, shown)
    shown = enter(child, ":record session.png")
    check(":record refuses a name that is not .html", "usage" in shown and ".html" in shown, shown)
    shown = enter(child, ":record " + page)
    check(":record FILE.html says it records", "recording every step to" in shown, shown)
    check(":record writes the page at once", os.path.exists(page), shown)
    enter(child, "fn twice(x) {\n  let y = x * 2\n  return y\n}")
    shown = enter(child, 'print("twice:", twice(21))')
    check("recording does not change what an input prints", "twice: 42" in shown, shown)
    run = recording(page)
    lines = [s for s in run["steps"] if s[0] == "line"]
    check("the page holds the input's lines", len(lines) >= 3, run["steps"])
    check("the page holds what the input printed", "twice: 42\n" in run["output"], run["output"])
    check("the page shows twice's local y", any('"y"' in f for f in map(json.dumps, run["frames"])), run["frames"])
    enter(child, 'spawn fn() { sleep(0.1); print("late") }')
    child.expect_exact("late", timeout=5)
    child.sendline('print("synced")')  # the prompt is redrawn after "late": wait for this input's own output
    child.expect_exact("synced\r\n")
    child.expect_exact(PROMPT)
    run = recording(page)
    check("a background task's steps are in the page after the next input",
          "late" in run["output"] and any(s[0] == "sleep" for s in run["steps"]), run["output"])
    shown = enter(child, ":record")
    check(":record alone says where it records", "recording to " + page in shown, shown)
    shown = enter(child, ":record off")
    check(":record off stops and says how many steps", "stopped:" in shown and "steps in" in shown, shown)
    before = len(recording(page)["steps"])
    enter(child, 'print("after")')
    check("nothing is recorded after :record off", len(recording(page)["steps"]) == before, before)


def record_flag_starts_repl(binary, workdir):
    page = os.path.join(workdir, "flag.html")
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", HOME=workdir)
    child = pexpect.spawn(binary, ["--record", page], env=env, encoding="utf-8", timeout=20, cwd=workdir)
    child.expect_exact(PROMPT)
    check("colang --record FILE.html starts the REPL recording", "recording every step to" in child.before, child.before)
    enter(child, 'let greeting = "hi"')
    child.sendline(":quit")
    child.expect(pexpect.EOF)
    run = recording(page)
    check("the REPL's recording is written when it ends", any(g[0][0] == "greeting" for g in run["globals"] if g), run["globals"])


def main():
    binary = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else default_binary())
    with tempfile.TemporaryDirectory() as workdir:
        child = start(binary, workdir)
        try:
            record_session(child, workdir)
            child.sendline(":quit")
            child.expect(pexpect.EOF)
            record_flag_starts_repl(binary, workdir)
        except (AssertionError, pexpect.ExceptionPexpect) as failure:
            print(f"FAIL: {failure}\nlast output: {child.before!r}", file=sys.stderr)
            child.terminate(force=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

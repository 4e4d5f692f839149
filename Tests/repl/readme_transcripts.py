#!/usr/bin/env python3
# Replays every REPL transcript in README.md (code blocks whose first line starts with `>>> `) in the
# real REPL in a pseudo-terminal and compares what the screen shows with the README, as doctest does.
"""Usage: readme_transcripts.py [PATH/TO/colang] [--show]

A transcript is a fenced block in README.md whose first line starts with `>>> `. Lines starting with
`>>> ` or `... ` are typed (the prompt stripped, in order; a `... ` line continues the input); every
other line is expected output. `…` in an expected line matches any text within that line (times,
which vary from run to run). Output that background tasks print after an input's own output (their
timers fire while you type) is waited for before the next input is typed, as a person reading the
screen would. Each block runs in a fresh REPL whose working directory is an empty temporary folder.
--show prints what the REPL showed for each block. Exits 0 when every block matches.
"""
import difflib
import os
import re
import sys
import tempfile
import time

import pexpect

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROMPT, CONTINUATION, WILDCARD = ">>> ", "... ", "…"
WAIT = 10  # seconds an expected line may take to appear


def transcripts(readme):
    """(first line number, lines) of every ``` block whose first line starts with `>>> `."""
    blocks, block, start = [], None, 0
    for number, line in enumerate(readme.splitlines(), 1):
        if line.startswith("```"):
            if block is None:
                block, start = [], number + 1
            else:
                if block and block[0].startswith(PROMPT):
                    blocks.append((start, block))
                block = None
        elif block is not None:
            block.append(line)
    return blocks


def steps(lines):
    """[(typed lines, expected output lines)] in order."""
    result = []
    for line in lines:
        if line.startswith(PROMPT) or (line.startswith(CONTINUATION) and result and not result[-1][1]):
            if line.startswith(PROMPT):
                result.append(([], []))
            result[-1][0].append(line[len(PROMPT):])
        else:
            result[-1][1].append(line)
    return result


ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Za-z0-9]|\x1b[=>]|[\x07\x08]")


def screen(raw):
    """The lines a person sees: escapes removed, a carriage return's overwrite applied."""
    lines = []
    for line in ESCAPES.sub("", raw).split("\n"):
        parts = [p for p in line.split("\r") if p != ""]
        lines.append(parts[-1] if parts else "")
    return lines


def matches(expected, shown):
    if WILDCARD not in expected:
        return expected == shown
    pattern = ".*".join(re.escape(piece) for piece in expected.split(WILDCARD))
    return re.fullmatch(pattern, shown) is not None


def replay(binary, lines):
    """Types the block's inputs; returns the screen's lines from the first prompt on."""
    with tempfile.TemporaryDirectory() as workdir:
        inputrc = os.path.join(workdir, "inputrc")
        with open(inputrc, "w") as f:
            f.write("set enable-bracketed-paste off\n")
        env = dict(os.environ, NO_COLOR="1", TERM="xterm", INPUTRC=inputrc, HOME=workdir,
                   COLANG_HISTORY=os.path.join(workdir, "history"))
        child = pexpect.spawn(binary, env=env, cwd=workdir, encoding="utf-8", timeout=WAIT,
                              dimensions=(50, 200))
        child.expect_exact(PROMPT)
        seen = PROMPT
        try:
            for typed, expected in steps(lines):
                for line in typed:
                    child.sendline(line)
                    time.sleep(0.05)
                # Wait until this input's expected output and a prompt are on the screen.
                deadline = time.monotonic() + WAIT
                while True:
                    shown = screen(seen)
                    tail = shown[len(shown) - len(expected) - 1:-1] if expected else []
                    done = shown[-1].startswith(PROMPT) and len(shown) > len(typed) and (
                        not expected or all(matches(e, s) for e, s in zip(expected, tail)))
                    if done or time.monotonic() > deadline:
                        break
                    try:
                        seen += child.read_nonblocking(4096, timeout=0.2)
                    except pexpect.TIMEOUT:
                        pass
                time.sleep(0.1)
                try:
                    seen += child.read_nonblocking(4096, timeout=0.1)
                except pexpect.TIMEOUT:
                    pass
            child.sendeof()
            child.expect(pexpect.EOF)
            seen += child.before
        finally:
            child.terminate(force=True)
    shown = screen(seen)
    while shown and shown[-1].strip() in ("", PROMPT.strip()):
        shown.pop()
    return shown


def main():
    arguments = [a for a in sys.argv[1:] if not a.startswith("--")]
    binary = arguments[0] if arguments else os.path.join(ROOT, ".build", "debug", "colang")
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        blocks = transcripts(f.read())
    if not blocks:
        print("FAIL: no REPL transcript found in README.md", file=sys.stderr)
        return 1
    failed = 0
    for start, lines in blocks:
        shown = replay(binary, lines)
        if "--show" in sys.argv:
            print("\n".join(shown))
        same = len(shown) == len(lines) and all(matches(e, s) for e, s in zip(lines, shown))
        if same:
            print(f"ok - README.md:{start}: the transcript matches the REPL")
        else:
            failed += 1
            print(f"FAIL - README.md:{start}: the REPL shows otherwise (- README, + REPL):", file=sys.stderr)
            for line in difflib.unified_diff(lines, shown, "README.md", "REPL", lineterm="", n=2):
                print("  " + line, file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
# The REPL's memory as a person meets it: started in a pseudo-terminal, one line evaluated, then
# idling at its prompt. Prints the peak and current resident set (VmHWM, VmRSS) in KB.
"""Usage: idle_rss.py PATH/TO/colang [--max-kb N]

With --max-kb, exits 1 when the peak resident set at the idle prompt is above N KB.
"""
import argparse
import os
import sys
import tempfile
import time

import pexpect


def status(pid):
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key in ("VmHWM", "VmRSS"):
                fields[key] = int(value.split()[0])
    return fields


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("binary")
    ap.add_argument("--max-kb", type=int)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, NO_COLOR="1", TERM="xterm", HOME=home, COLANG_HISTORY=os.path.join(home, "history"))
        child = pexpect.spawn(args.binary, env=env, encoding="utf-8", timeout=10, dimensions=(40, 200))
        child.expect_exact(">>> ")
        child.sendline("let x = 1 + 2")
        child.expect_exact(">>> ")
        time.sleep(0.5)
        mem = status(child.pid)
        child.sendeof()
        child.expect(pexpect.EOF)
    print(f"REPL at its prompt: peak RSS {mem['VmHWM']} KB, RSS {mem['VmRSS']} KB")
    if args.max_kb is not None and mem["VmHWM"] > args.max_kb:
        print(f"idle_rss.py: the REPL peaked at {mem['VmHWM']} KB, over {args.max_kb} KB", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

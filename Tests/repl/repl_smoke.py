#!/usr/bin/env python3
# Drives the `colang` REPL in a pseudo-terminal: echo, continuation prompt, errors, Ctrl-C, Ctrl-D, history.
"""Usage: repl_smoke.py [PATH/TO/colang]   (default: .build/debug/colang from the repository root)

Exits 0 when every check passes; otherwise prints what was expected and what the REPL showed.
"""
import os
import re
import socket
import sys
import tempfile
import time

import pexpect

PROMPT = ">>> "
CONTINUATION = "... "
TIMEOUT = 10


def default_binary():
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, ".build", "debug", "colang")


def start(binary, workdir):
    inputrc = os.path.join(workdir, "inputrc")
    with open(inputrc, "w") as f:
        f.write("set enable-bracketed-paste off\n")
    env = dict(os.environ, NO_COLOR="1", TERM="xterm", INPUTRC=inputrc, HOME=workdir,
               COLANG_HISTORY=os.path.join(workdir, "history"))
    child = pexpect.spawn(binary, env=env, encoding="utf-8", timeout=TIMEOUT,
                          dimensions=(40, 200))
    child.expect_exact(PROMPT)
    return child


def enter(child, line, then=PROMPT):
    """Types `line` and Enter, and waits for the next prompt (or `then`)."""
    child.sendline(line)
    child.expect_exact(then)
    return child.before


def check(label, condition, shown):
    if not condition:
        raise AssertionError(f"{label}: the REPL showed {shown!r}")
    print(f"ok - {label}")


def shows(text, shown):
    return re.search(r"(^|\n)" + re.escape(text) + r"\r?\n", shown) is not None


def run_checks(child, workdir):
    shown = enter(child, "1 + 2")
    check("an expression's value is echoed", shows("3", shown), shown)

    enter(child, "let x = 40")
    enter(child, "fn add2(a) {", then=CONTINUATION)
    enter(child, "return a + 2", then=CONTINUATION)
    enter(child, "}")
    shown = enter(child, "add2(x)")
    check("a block continues on '... ' and the function persists", shows("42", shown), shown)

    shown = enter(child, "no_such_name")
    check("an error is reported", "undefined variable 'no_such_name'" in shown, shown)
    shown = enter(child, "x")
    check("state survives an error", shows("40", shown), shown)

    child.sendline("while true {}")
    time.sleep(0.5)
    child.sendintr()
    child.expect_exact(PROMPT)
    shown = enter(child, "x")
    check("Ctrl-C stops a running input and keeps state", shows("40", shown), shown)

    child.send("garbage")
    time.sleep(0.3)
    child.sendintr()
    child.expect_exact(PROMPT)
    shown = enter(child, "x")
    check("Ctrl-C while typing drops the line", shows("40", shown), shown)

    enter(child, 'fn later() { sleep(0.5); print("later!") }')
    enter(child, "spawn later()")
    child.send("x + ")
    found = child.expect_exact(["later!", pexpect.TIMEOUT], timeout=5)
    check("a task spawned at the prompt prints while the REPL waits for keys", found == 0, child.before)
    child.expect_exact(PROMPT + "x + ")  # the prompt and the typed text, redrawn below the output
    shown = enter(child, "2")
    check("the line being typed survives background output", shows("42", shown), shown)

    network_checks(child)

    shown = enter(child, ":help")
    check(":help lists the commands", ":save FILE" in shown and ":quit" in shown, shown)

    saved = os.path.join(workdir, "session.co")
    shown = enter(child, ":save " + saved)
    check(":save reports what it wrote", "to " + saved in shown, shown)
    with open(saved) as f:
        script = f.read()
    check(":save writes the accepted inputs, in order", "\nlet x = 40\nfn add2(a) {\nreturn a + 2\n}\nadd2(x)\n" in script, script)
    check(":save leaves no temporary file", os.listdir(workdir).count("session.co") == 1
          and not any(name.endswith(".tmp") for name in os.listdir(workdir)), os.listdir(workdir))
    shown = enter(child, ":save /dev/full")
    check(":save to a full device says so (it reported success)", "cannot write '/dev/full': No space left on device" in shown, shown)
    link = os.path.join(workdir, "link.co")
    os.symlink("session.co", link)
    shown = enter(child, ":save " + link)
    check(":save through a symlink keeps the link", os.path.islink(link) and "to " + link in shown, shown)
    shown = enter(child, ":save /no/such/dir/s.co")
    check(":save into a missing folder says why", "cannot write '/no/such/dir/s.co': No such file or directory" in shown, shown)

    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    check("Ctrl-D on an empty line exits 0", child.exitstatus == 0, child.exitstatus)

    with open(os.path.join(workdir, "history")) as f:
        history = f.read()
    check("history is saved to COLANG_HISTORY", "let x = 40" in history, history)


def echo_client(port, line):
    """Connects to 127.0.0.1:port, sends `line`, and returns the line that comes back."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as s:
        s.sendall((line + "\n").encode())
        reply = b""
        while not reply.endswith(b"\n"):
            chunk = s.recv(1024)
            if not chunk:
                break
            reply += chunk
        return reply.decode().rstrip("\n")


def network_checks(child):
    """A server task keeps serving while the learner types; Ctrl-C leaves it running."""
    enter(child, 'let l = listen("127.0.0.1", 0)')
    port = int(re.search(r"(\d+)", enter(child, "l.port")).group(1))
    enter(child, 'fn echo(c) { for line in c { c.write("echo: ${line}\\n") } }')
    enter(child, "spawn fn() { for c in l { spawn echo(c) } }()")
    shown = enter(child, ":tasks")
    check(":tasks says what the server waits on", "accepting on 127.0.0.1:%d" % port in shown, shown)
    child.send("20 + ")  # half a line typed while a client is served
    reply = echo_client(port, "hello")
    check("a server task answers while the REPL waits for keys", reply == "echo: hello", reply)
    shown = enter(child, "22")
    check("the typed line survives serving", shows("42", shown), shown)
    enter(child, 'let l2 = listen("127.0.0.1", 0)')
    child.sendline("l2.accept()")
    time.sleep(0.3)
    child.sendintr()
    child.expect_exact(PROMPT)
    check("Ctrl-C interrupts an input waiting in accept", "interrupted" in child.before, child.before)
    reply = echo_client(port, "still there?")
    check("after Ctrl-C the server task still serves", reply == "echo: still there?", reply)
    enter(child, "l.close()")


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else default_binary()
    with tempfile.TemporaryDirectory() as workdir:
        child = start(binary, workdir)
        try:
            run_checks(child, workdir)
        except (AssertionError, pexpect.ExceptionPexpect) as failure:
            print(f"FAIL: {failure}\nlast output: {child.before!r}", file=sys.stderr)
            child.terminate(force=True)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

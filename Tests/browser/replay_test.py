#!/usr/bin/env python3
"""The `--record` page as a person meets it: opened from a file in headless Chromium.

    python3 Tests/browser/replay_test.py .build/debug/colang
    python3 Tests/browser/replay_test.py .build/debug/colang --screenshots docs   # also the README's pictures

Drives Debian's `chromium` through Playwright (PyPI `playwright`, no browser download: it is
given the system browser's path). For a small program whose every step is known
(Tests/browser/lesson.co, on the virtual clock) it steps forward and back with the keys and the
buttons and checks, at each step, what the panels show against the run itself: the scheduler
events against `--trace-sched` of the same program, the output against what the program printed
without recording, the highlighted line, the running card, the loop's queues, the channel's
buffer and a generator's locals. Then it clicks the timeline, records a run longer than the
recording holds (the page must say so), and opens the recordings of five lessons, stepping
through each (their sizes and the time a step takes are printed, not asserted).

Prints `N passed, N failed` last; exits 1 on any failure.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LESSON = os.path.join(ROOT, "Tests", "browser", "lesson.co")
EXAMPLES = ["kitchen", "producer_consumer", "pipeline", "mini_os", "fetch_urls"]

passed = failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {what}")


def find_chromium():
    for name in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


def record(colang, script, page, *flags):
    p = subprocess.run([colang, *flags, "--record", page, script], capture_output=True, text=True, cwd=ROOT, timeout=600)
    return p


def open_page(browser, page, errors):
    tab = browser.new_page(viewport={"width": 1400, "height": 1100})
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.goto("file://" + page)
    tab.wait_for_function("window.replay && window.replay.count > 0")
    return tab


def text(tab, selector):
    return tab.locator(selector).inner_text()


def lesson_checks(colang, browser, workdir):
    page = os.path.join(workdir, "lesson.html")
    plain = subprocess.run([colang, "--clock", "virtual", LESSON], capture_output=True, text=True, cwd=ROOT)
    traced = subprocess.run([colang, "--clock", "virtual", "--trace-sched", LESSON], capture_output=True, text=True, cwd=ROOT)
    coroutine_traced = subprocess.run([colang, "--clock", "virtual", "--trace-coroutines", LESSON], capture_output=True, text=True, cwd=ROOT)
    p = record(colang, LESSON, page, "--clock", "virtual")
    check(p.returncode == 0, f"recording the lesson exits 0 (got {p.returncode}: {p.stderr})")
    check(p.stdout == plain.stdout, "recording does not change what the program prints")
    check(re.search(r"colang: recorded \d+ steps in .*lesson\.html", p.stderr) is not None, f"colang says where the recording is: {p.stderr!r}")

    errors = []
    tab = open_page(browser, page, errors)
    run = tab.evaluate("window.replay.run")
    steps = run["steps"]
    n = len(steps)
    check(text(tab, "#counter") == f"step 1 of {n}", "the page opens at step 1 of all")

    # Keys and buttons.
    for _ in range(5):
        tab.keyboard.press("ArrowRight")
    check(text(tab, "#counter") == f"step 6 of {n}", "five presses of → reach step 6")
    tab.keyboard.press("ArrowLeft")
    check(text(tab, "#counter") == f"step 5 of {n}", "← goes one step back")
    tab.click("#forward")
    tab.click("#forward")
    check(text(tab, "#counter") == f"step 7 of {n}", "the ▶ button steps forward")
    tab.click("#back")
    check(text(tab, "#counter") == f"step 6 of {n}", "the ◀ button steps back")
    tab.keyboard.press("End")
    check(text(tab, "#counter") == f"step {n} of {n}", "End goes to the last step")
    tab.click("#first")
    check(text(tab, "#counter") == f"step 1 of {n}", "the start button goes to step 1")
    tab.click("#last")
    check(text(tab, "#counter") == f"step {n} of {n}", "the end button goes to the last step")
    tab.evaluate("document.getElementById('slider').value = 3; document.getElementById('slider').dispatchEvent(new Event('input'))")
    check(text(tab, "#counter") == f"step 4 of {n}", "the slider moves to its step")
    tab.click("#first")
    tab.click("#play")
    tab.wait_for_function("window.replay.index >= 3", timeout=5000)
    tab.click("#play")
    stopped = tab.evaluate("window.replay.index")
    time.sleep(0.5)
    check(tab.evaluate("window.replay.index") == stopped and stopped >= 3, "play advances and pause stops")

    # The scheduler events, in order, are what --trace-sched prints for the same program.
    trace = [re.sub(r"^\[[0-9.]+\] ", "", line) for line in traced.stderr.splitlines() if line.startswith("[")]
    sched_kinds = {"spawn", "resume", "yield", "sleep", "wake", "block", "finish", "fail", "cancel"}
    page_events = [s[5] for s in steps if s[0] in sched_kinds]
    check(page_events == trace, f"the page's scheduler events are --trace-sched's:\n{page_events}\n{trace}")
    # And its coroutine events are --trace-coroutines'.
    co_trace = [re.sub(r"^\[[0-9.]+\] ", "", line) for line in coroutine_traced.stderr.splitlines() if line.startswith("[")]
    page_co_events = [s[5] for s in steps if s[0].startswith("co-")]
    check(page_co_events == co_trace and len(co_trace) >= 6,
          f"the page's coroutine events are --trace-coroutines':\n{page_co_events}\n{co_trace}")

    # Walk every step and check each panel against the step.
    seen_yield_values = []
    for i, s in enumerate(steps):
        kind, task, fiber, source, line, what = s[0], s[1], s[2], s[3], s[4], s[5]
        tab.evaluate(f"window.replay.go({i})")
        header = text(tab, "#what")
        output = text(tab, "#output")
        prefix = run["output"].encode("utf-16-le")[: 2 * s[7]].decode("utf-16-le")
        check(output == prefix, f"step {i + 1}: the output panel shows the output so far ({output!r} vs {prefix!r})")
        check(plain.stdout.startswith(output), f"step {i + 1}: the output so far is a prefix of the program's output")
        if kind == "line":
            current = tab.locator("#source .line.current")
            check(current.count() == 1 and current.get_attribute("data-line") == str(line),
                  f"step {i + 1}: line {line} is highlighted")
            running = tab.locator("#cards .card.running")
            check(running.count() >= 1, f"step {i + 1}: a card is marked running")
        elif what:
            check(what in header, f"step {i + 1}: the header says {what!r} (it says {header!r})")
        world = tab.evaluate(f"window.replay.world({i})")
        names = {t[0]: t[1] for t in world["tasks"]}
        if kind == "block" or kind == "sleep":
            row = text(tab, "#loop-blocked" if kind == "block" else "#loop-sleeping")
            check(names[task] in row, f"step {i + 1}: {names[task]} is listed as {kind}ed in the loop ({row!r})")
        if kind == "resume" and task:
            check(text(tab, "#loop").startswith("running:"), "the loop panel starts with who runs")
        ready = text(tab, "#loop-ready")
        for t in world["ready"]:
            check(names[t] in ready, f"step {i + 1}: {names[t]} is in the ready queue panel")
        if kind == "co-yield":
            card = tab.locator('#cards .card[data-kind="coroutine"]').first
            check(card.get_attribute("data-status") == "suspended", f"step {i + 1}: the generator's card says suspended")
            m = re.search(r"\bi\s+(\d+)", card.inner_text())
            if m:
                seen_yield_values.append(int(m.group(1)))
        # The channel panel shows the buffered values of this step.
        chans = run["channels"][s[9]]
        if chans:
            row = tab.locator('#channels [data-channel="1"]').inner_text()
            for v in chans[0][3]:
                check(v in row, f"step {i + 1}: the channel shows its buffered {v}")
            check(("ch" in row), f"step {i + 1}: the channel is named by its variable ({row!r})")
    check(seen_yield_values == [0, 1, 2], f"the generator's card shows i = 0, 1, 2 at its yields (saw {seen_yield_values})")
    check(text(tab, "#output") == plain.stdout, "at the last step the output is everything the program printed")
    check("the run ended" in text(tab, "#what"), "the last step says the run ended")

    # The timeline: a cursor at the step; a click near the right end jumps late in the run.
    check(tab.locator("#timeline svg").count() == 1, "the timeline is drawn")
    cursor = tab.locator("#timeline svg #cursor")
    check(cursor.count() == 1, "the timeline has a cursor")
    if cursor.count() == 1:
        tab.click("#first")
        x_start = float(cursor.get_attribute("x1"))
        tab.click("#last")
        x_end = float(cursor.get_attribute("x1"))
        check(x_end > x_start, f"the cursor moves right as the run goes on ({x_start} → {x_end})")
        svg = tab.locator("#timeline svg")
        svg.scroll_into_view_if_needed()
        box = svg.bounding_box()
        # Click at the middle of the time axis (t = 1.5s of 3s): the step reached is the first at or after it.
        x0, x1 = float(svg.get_attribute("data-x0")), float(svg.get_attribute("data-x1"))
        t0, t1 = float(svg.get_attribute("data-t0")), float(svg.get_attribute("data-t1"))
        vb = tab.evaluate("(() => { const b = document.querySelector('#timeline svg').viewBox.baseVal; return [b.x, b.width]; })()")
        target = t0 + 0.5 * (t1 - t0)
        xsvg = x0 + 0.5 * (x1 - x0)
        scale = box["width"] / vb[1]
        tab.mouse.click(box["x"] + (xsvg - vb[0]) * scale, box["y"] + min(box["height"] / 2, 60))
        at = tab.evaluate("window.replay.index")
        time_at = steps[at][6]
        check(time_at >= target - (t1 - t0) * 0.02 and (at == 0 or steps[at - 1][6] < target + (t1 - t0) * 0.02),
              f"a click at t={target:.2f} jumps to the first step there (step {at + 1}, t={time_at})")
    check(not errors, f"no errors in the page: {errors}")
    tab.close()
    return page


def truncation_checks(colang, browser, workdir):
    script = os.path.join(workdir, "long.co")
    with open(script, "w") as f:
        f.write("let total = 0\nfor i in range(40000) {\n  total += i\n}\nprint(total)\n")
    page = os.path.join(workdir, "long.html")
    p = record(colang, script, page)
    check(p.stdout == "799980000\n", f"a long recorded run still prints its result ({p.stdout!r})")
    check("the run went on past them" in p.stderr, f"colang says the recording is full ({p.stderr!r})")
    errors = []
    tab = open_page(browser, page, errors)
    banner = tab.locator("#truncated")
    check(banner.is_visible() and "first 50,000 steps" in banner.inner_text(), "the page says it keeps the first 50,000 steps")
    check(tab.evaluate("window.replay.count") == 50000, "the recording holds 50,000 steps")
    tab.keyboard.press("End")
    check(text(tab, "#counter") == "step 50000 of 50000", "the last kept step can be shown")
    check(not errors, f"no errors in the long page: {errors}")
    tab.close()


def lesson_recordings(colang, browser, workdir, screenshots):
    for name in EXAMPLES:
        page = os.path.join(workdir, name + ".html")
        script = os.path.join("examples", name + ".co")
        flags = ["--clock", "virtual"]  # deterministic; on the real clock fetch_urls times itself, and a debug build recording is slow
        start = time.monotonic()
        p = record(colang, script, page, *flags)
        took = time.monotonic() - start
        check(p.returncode == 0, f"{name}: recorded run exits 0 ({p.stderr[-300:]})")
        errors = []
        tab = open_page(browser, page, errors)
        count = tab.evaluate("window.replay.count")
        begin = time.monotonic()
        for _ in range(min(100, count - 1)):
            tab.keyboard.press("ArrowRight")
        per_step = (time.monotonic() - begin) / max(1, min(100, count - 1))
        check(tab.evaluate("window.replay.index") == min(100, count - 1), f"{name}: → steps through the recording")
        begin = time.monotonic()
        tab.keyboard.press("End")
        end_ms = (time.monotonic() - begin) * 1000
        check(text(tab, "#counter") == f"step {count} of {count}", f"{name}: End reaches the last step")
        check(not errors, f"{name}: no errors in the page: {errors}")
        size = os.path.getsize(page)
        print(f"  {name}: {count} steps, {size / 1024:.0f} KB, recorded in {took:.1f} s, "
              f"{per_step * 1000:.0f} ms per → step (with the key press), End in {end_ms:.0f} ms")
        tab.close()


def take_screenshots(colang, browser, workdir, directory):
    """The README's pictures: two lessons at a step that shows what they teach."""
    shots = [
        ("kitchen", ["--clock", "virtual"], "sleep salad", "replay-kitchen.png"),
        ("pipeline", ["--clock", "virtual"], "yield co#1 printer", "replay-pipeline.png"),
    ]
    for name, flags, moment, picture in shots:
        page = os.path.join(workdir, name + "-shot.html")
        record(colang, os.path.join("examples", name + ".co"), page, *flags)
        errors = []
        tab = open_page(browser, page, errors)
        steps = tab.evaluate("window.replay.run.steps")
        at = next((i for i, s in enumerate(steps) if s[5] and s[5].startswith(moment)), len(steps) // 2)
        tab.evaluate(f"window.replay.go({at})")
        tab.set_viewport_size({"width": 1400, "height": 1350})
        path = os.path.join(directory, picture)
        tab.screenshot(path=path, full_page=True)
        print(f"  wrote {path} (step {at + 1} of {len(steps)})")
        check(not errors, f"{name}: no errors while taking its picture: {errors}")
        tab.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("colang")
    ap.add_argument("--screenshots", metavar="DIR", help="also write the README's two pictures there")
    args = ap.parse_args()
    colang = os.path.abspath(args.colang)
    chromium = find_chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    if chromium is None or sync_playwright is None:
        missing = "chromium" if chromium is None else "the playwright Python package"
        if os.environ.get("COLANG_REQUIRE_BROWSER") == "1":
            print(f"{missing} is missing, and COLANG_REQUIRE_BROWSER=1")
            print("0 passed, 1 failed")
            return 1
        print(f"skipped: {missing} is missing")
        return 0
    with tempfile.TemporaryDirectory() as workdir, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        print("the lesson, step by step")
        lesson_checks(colang, browser, workdir)
        print("a run longer than the recording")
        truncation_checks(colang, browser, workdir)
        print("the lessons' recordings")
        lesson_recordings(colang, browser, workdir, args.screenshots)
        if args.screenshots:
            take_screenshots(colang, browser, workdir, args.screenshots)
        browser.close()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

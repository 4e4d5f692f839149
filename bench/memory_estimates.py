#!/usr/bin/env python3
"""Compares the heap's memory estimate (`estimatedSize`, what --max-memory and the default guard
count) with real memory, per object kind: 200,000 objects of each kind are kept in a list, and
the peak resident set size beyond a list of nils is divided by 200,000. COLANG_HEAP_STATS=1 makes
colang print its estimate at exit.

    python3 bench/memory_estimates.py .build/release/colang [KIND ...]
"""
import subprocess, sys, re
B = sys.argv[1]
N = 200000
kinds = {
 "list1": "[i]", "list10": "[i,i,i,i,i,i,i,i,i,i]", "map1": '{"k": i}', "map5": '{"a": i, "b": i, "c": i, "d": i, "e": i}',
 "str_short": '"s${i}"', "str_40": '"0123456789012345678901234567890123${i}"',
 "closure1": "(fn() { let v = i; return fn() { return v } })()",
 "coroutine": "coroutine(fn() { yield 1 })",
 "coro_susp": "(fn() { let c = coroutine(fn() { yield 1; yield 2 }); c.resume(nil); return c })()",
 "error": 'error("boom")',
 "range": "range(i)",
 "task_sleep": "spawn sleep(1)",
 "channel": "channel(1)",
}
import os
def rss(code):
    p = subprocess.run(["/usr/bin/time", "-f", "%M", B, "--clock", "virtual", "-e", code], capture_output=True, text=True, env=dict(os.environ, COLANG_HEAP_STATS="1"))
    lines = p.stderr.strip().split("\n")
    est = int(re.search(r"(\d+) estimated", p.stderr).group(1))
    return int(lines[-1]), est
base, ebase = rss(f"let a = []\nfor i in range({N}) {{ a.push(nil) }}")
for k, expr in kinds.items():
    if len(sys.argv) > 2 and k not in sys.argv[2:]: continue
    r, e = rss(f"let a = []\nfor i in range({N}) {{ a.push({expr}) }}\n")
    real = (r - base) * 1024 / N; est = (e - ebase) / N
    print(f"{k:12s} real {real:7.0f} B   estimate {est:7.0f} B   real/estimate {real/est:5.2f}")

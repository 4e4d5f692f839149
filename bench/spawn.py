# spawn: N tasks (N from the first argument, default 100,000) each give up their turn 10 times
# and return their number; main awaits them all. Prints the sum of the results.
import asyncio
import sys


async def worker(k):
    for _ in range(10):
        await asyncio.sleep(0)
    return k


async def main(n):
    tasks = [asyncio.create_task(worker(k)) for k in range(n)]
    total = 0
    for t in tasks:
        total += await t
    print(total)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))

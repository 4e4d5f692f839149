# chan: a producer task sends 0..N-1 (N from the first argument, default 1,000,000) through a
# channel (an asyncio queue of capacity 100), then closes it (asyncio.Queue has no close before
# Python 3.13, so a None sentinel marks the end); main receives until it is closed. Prints the sum.
import asyncio
import sys


async def producer(n, ch):
    for i in range(n):
        await ch.put(i)
    await ch.put(None)


async def main(n):
    ch = asyncio.Queue(100)
    asyncio.create_task(producer(n, ch))
    total = 0
    while (v := await ch.get()) is not None:
        total += v
    print(total)


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))

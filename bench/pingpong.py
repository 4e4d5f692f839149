# pingpong: two tasks pass a counter back and forth over two channels (asyncio queues of
# capacity 1), N round trips (N from the first argument, default 200,000). Prints the final
# counter (2N).
import asyncio
import sys


async def ping(n, out, inbox):
    ball = 0
    for _ in range(n):
        await out.put(ball + 1)
        ball = await inbox.get()
    return ball


async def pong(n, inbox, out):
    for _ in range(n):
        await out.put(await inbox.get() + 1)


async def main(n):
    to_pong = asyncio.Queue(1)
    to_ping = asyncio.Queue(1)
    p = asyncio.create_task(ping(n, to_pong, to_ping))
    q = asyncio.create_task(pong(n, to_pong, to_ping))
    print(await p)
    await q


asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200_000))

"""A keep-alive "hello world" HTTP/1.1 server on asyncio streams (start_server, readline, write + drain).

    python3 bench/http/server_asyncio_streams.py [PORT]      (default port 8082)

The same behaviour as server.co: one coroutine per connection, reading the request line and the
header lines up to an empty line, answering with one write, and going round again (keep-alive).
"""

import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nHello world\n"


async def handle(reader, writer):
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:          # the client closed the connection
                break
            while True:
                header = await reader.readline()
                if not header or header in (b"\r\n", b"\n"):
                    break
            if not header:                # closed in the middle of a request
                break
            writer.write(RESPONSE)        # one write per response
            await writer.drain()
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        writer.close()


async def main(port):
    server = await asyncio.start_server(handle, "127.0.0.1", port, backlog=4096)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8082))

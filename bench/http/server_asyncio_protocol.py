"""A keep-alive "hello world" HTTP/1.1 server on asyncio's Protocol API (callbacks, no coroutines).

    python3 bench/http/server_asyncio_protocol.py [PORT]     (default port 8083)

data_received collects bytes and answers every complete request (ended by a blank line, b"\\r\\n\\r\\n")
with one write; a pipelined batch gets all its answers in one write. The transport keeps the
connection open between requests (keep-alive).
"""

import asyncio
import sys

RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nContent-Type: text/plain\r\n\r\nHello world\n"


class HelloProtocol(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.buffer = b""

    def data_received(self, data):
        self.buffer += data
        answers = 0
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                break
            self.buffer = self.buffer[end + 4:]
            answers += 1
        if answers:
            self.transport.write(RESPONSE * answers)

    def connection_lost(self, exc):
        self.transport = None


async def main(port):
    loop = asyncio.get_running_loop()
    server = await loop.create_server(HelloProtocol, "127.0.0.1", port, backlog=4096)
    print(f"listening on 127.0.0.1:{port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8083))

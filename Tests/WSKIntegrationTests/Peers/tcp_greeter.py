"""A TCP service that speaks first: sends "hello from tcp\\n" on connect, then echoes.

usage: tcp_greeter.py
Prints its port on the first line of stdout. Python standard library only.
"""
import asyncio
import sys
import socket



# The test that started this peer holds its stdin open: when the test (or its process) is
# gone, stdin ends and so does the peer, even if no signal reached it.
import os as _os, threading as _threading
_threading.Thread(target=lambda: (sys.stdin.buffer.read(), _os._exit(0)), daemon=True).start()

async def handle(reader, writer):
    writer.write(b"hello from tcp\n")
    await writer.drain()
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except ConnectionError:
        pass
    writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0, family=socket.AF_INET)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())

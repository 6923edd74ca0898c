"""Python `websockets` echo server for `wsk connect` interop tests, on 127.0.0.1 with a
free port (printed first).

usage: py_server.py [--deflate]     (permessage-deflate on with --deflate)

Misbehaving servers (dropped connections, unanswered pings, masked frames, close codes)
are scripted in Swift instead: Tests/WSKIntegrationTests/Support/ScriptedServer.swift.
"""
import asyncio
import sys

import websockets



# The test that started this peer holds its stdin open: when the test (or its process) is
# gone, stdin ends and so does the peer, even if no signal reached it.
import os as _os, threading as _threading
_threading.Thread(target=lambda: (sys.stdin.buffer.read(), _os._exit(0)), daemon=True).start()

async def main(deflate):
    async def handler(ws):
        async for message in ws:
            await ws.send(message)

    async with websockets.serve(handler, "127.0.0.1", 0, compression="deflate" if deflate else None, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        await asyncio.Future()


asyncio.run(main("--deflate" in sys.argv))

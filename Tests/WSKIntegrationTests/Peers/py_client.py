"""Interop client: Python `websockets` against a wsk server.

usage: py_client.py URL [--deflate] [--cafile PEM]
Sends text, unicode, binary, a 1 MiB message, a fragmented message and a ping; checks
every echo; closes with 1000. Prints one line starting with OK, exits 0; else exits 1.
"""
import asyncio
import ssl
import sys

import websockets


async def main():
    url = sys.argv[1]
    deflate = "--deflate" in sys.argv
    ssl_context = None
    if "--cafile" in sys.argv:
        ssl_context = ssl.create_default_context(cafile=sys.argv[sys.argv.index("--cafile") + 1])
    kwargs = {"compression": "deflate" if deflate else None, "max_size": 4 * 1024 * 1024}
    if ssl_context is not None:
        kwargs["ssl"] = ssl_context
    async with websockets.connect(url, **kwargs) as ws:
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions", "")
        if deflate and "permessage-deflate" not in extensions:
            raise SystemExit(f"FAIL: compression not negotiated: {extensions!r}")
        if not deflate and extensions:
            raise SystemExit(f"FAIL: unexpected extensions {extensions!r}")
        for message in ["hello", "κόσμε ✓ 日本語 🎉", b"\x00\x01\xfe\xff", "x" * (1 << 20), b"\x00" * 70000]:
            await ws.send(message)
            echo = await ws.recv()
            if echo != message:
                raise SystemExit(f"FAIL: echo mismatch for {type(message).__name__} of {len(message)}")
        await ws.send(["frag", "men", "ted"])
        if await ws.recv() != "fragmented":
            raise SystemExit("FAIL: fragmented echo")
        pong = await ws.ping(b"py")
        await asyncio.wait_for(pong, 5)
        await ws.close(1000, "bye")
        if ws.close_code != 1000:
            raise SystemExit(f"FAIL: close code {ws.close_code}")
    print(f"OK websockets {websockets.__version__} extensions={extensions!r}")


asyncio.run(main())

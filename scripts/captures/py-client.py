#!/usr/bin/env python3
"""Python `websockets` client for scripts/record-captures.sh: compression on, a fixed script
of messages (repeated text for context takeover, a 300-byte text, binary, a fragmented
message, a ping) and a close with a code and reason."""
import asyncio
import sys

from websockets.asyncio.client import connect


async def main(port: int) -> None:
    async with connect(f"ws://127.0.0.1:{port}/chat", compression="deflate", ping_interval=None) as ws:
        for message in ["Hello, deflate!", "Hello, deflate!", "wsk " * 75, b"\x00\x01\x02\x03 binary \xff"]:
            await ws.send(message)
            await ws.recv()
        await ws.send(["frag-one ", "frag-two ", "frag-three"])  # one message, three frames
        await ws.recv()
        pong = await ws.ping(b"are you there")
        await pong
        await ws.close(1000, "bye")


asyncio.run(main(int(sys.argv[1])))

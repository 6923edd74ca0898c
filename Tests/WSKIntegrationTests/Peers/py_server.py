"""Test peer servers for `wsk connect`, on 127.0.0.1 with a free port (printed first).

usage: py_server.py MODE [ARG]
  echo [--deflate]   Python `websockets` echo server (compression on with --deflate)
  reflect            sends text, binary and a 3-fragment message, expects each back
                     unchanged (for --echo), then closes 1000; exits 0 if all matched
  send-many N        sends N numbered 1 KiB text messages as fast as it can, then closes 1000
  masked             raw: completes the handshake, then sends a MASKED frame (a protocol error)
  drop               raw: completes the handshake, then closes TCP without a close frame
  no-pong            raw: completes the handshake, reads and ignores everything (no pongs)
  close CODE         raw: completes the handshake, then sends close CODE and waits
"""
import asyncio
import base64
import hashlib
import socket
import sys

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def raw_server(mode, arg):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    print(listener.getsockname()[1], flush=True)
    conn, _ = listener.accept()
    request = b""
    while b"\r\n\r\n" not in request:
        request += conn.recv(4096)
    key = [line.split(b":", 1)[1].strip() for line in request.split(b"\r\n") if line.lower().startswith(b"sec-websocket-key")][0]
    accept = base64.b64encode(hashlib.sha1(key + GUID.encode()).digest())
    conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
    if mode == "masked":
        conn.sendall(bytes([0x81, 0x82, 1, 2, 3, 4, ord("h") ^ 1, ord("i") ^ 2]))
    elif mode == "drop":
        pass
    elif mode == "close":
        code = int(arg)
        conn.sendall(bytes([0x88, 0x02, code >> 8, code & 0xFF]))
    conn.settimeout(10)
    try:
        while conn.recv(4096):
            if mode == "drop":
                break
    except OSError:
        pass
    conn.close()


async def ws_server(mode, arg, deflate):
    import websockets

    done = asyncio.get_running_loop().create_future()

    async def handler(ws):
        if mode == "echo":
            async for message in ws:
                await ws.send(message)
        elif mode == "reflect":
            ok = True
            for message in ["text ✓", b"\x00\x01\x02", ["frag", "men", "ted"]]:
                await ws.send(message)
                expected = "fragmented" if isinstance(message, list) else message
                ok = ok and (await ws.recv()) == expected
            await ws.close(1000)
            if not done.done():
                done.set_result(ok)
        elif mode == "send-many":
            for i in range(int(arg)):
                await ws.send(f"{i:08d} " + "x" * 1015)
            await ws.close(1000)
            if not done.done():
                done.set_result(True)

    async with websockets.serve(handler, "127.0.0.1", 0, compression="deflate" if deflate else None, max_size=None) as server:
        print(server.sockets[0].getsockname()[1], flush=True)
        if mode == "echo":
            await asyncio.Future()
        ok = await done
        await asyncio.sleep(0.2)
        sys.exit(0 if ok else 1)


mode = sys.argv[1]
arg = sys.argv[2] if len(sys.argv) > 2 and not sys.argv[2].startswith("--") else None
if mode in ("masked", "drop", "no-pong", "close"):
    raw_server(mode, arg)
else:
    asyncio.run(ws_server(mode, arg, "--deflate" in sys.argv))

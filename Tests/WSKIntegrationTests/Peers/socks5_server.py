"""A small SOCKS5 proxy (RFC 1928, username/password per RFC 1929) for wsk's tests.

usage: socks5_server.py [--auth USER:PASSWORD]
Prints its port on the first line of stdout. Logs one line per request on stderr:
  AUTH ok USER | AUTH failed USER | AUTH none-acceptable
  CONNECT name HOST PORT | CONNECT ipv4 ADDRESS PORT | CONNECT ipv6 ADDRESS PORT
  REFUSED HOST PORT (the target refused: reply 5)
then relays bytes both ways. Python standard library only.
"""
import asyncio
import ipaddress
import socket
import sys


def log(line):
    print(line, file=sys.stderr, flush=True)



# The test that started this peer holds its stdin open: when the test (or its process) is
# gone, stdin ends and so does the peer, even if no signal reached it.
import os as _os, threading as _threading
_threading.Thread(target=lambda: (sys.stdin.buffer.read(), _os._exit(0)), daemon=True).start()

async def relay(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def handle(reader, writer, credentials):
    try:
        version, count = await reader.readexactly(2)
        methods = await reader.readexactly(count)
        if version != 5:
            writer.close()
            return
        if credentials is not None:
            if 2 not in methods:
                log("AUTH none-acceptable")
                writer.write(b"\x05\xff")
                await writer.drain()
                writer.close()
                return
            writer.write(b"\x05\x02")
            await writer.drain()
            _, ulen = await reader.readexactly(2)
            user = (await reader.readexactly(ulen)).decode()
            (plen,) = await reader.readexactly(1)
            password = (await reader.readexactly(plen)).decode()
            if f"{user}:{password}" != credentials:
                log(f"AUTH failed {user}")
                writer.write(b"\x01\x01")
                await writer.drain()
                writer.close()
                return
            log(f"AUTH ok {user}")
            writer.write(b"\x01\x00")
        else:
            writer.write(b"\x05\x00")
        await writer.drain()
        _, command, _, kind = await reader.readexactly(4)
        if kind == 1:
            host = str(ipaddress.IPv4Address(await reader.readexactly(4)))
            shown = "ipv4"
        elif kind == 4:
            host = str(ipaddress.IPv6Address(await reader.readexactly(16)))
            shown = "ipv6"
        elif kind == 3:
            (length,) = await reader.readexactly(1)
            host = (await reader.readexactly(length)).decode()
            shown = "name"
        else:
            writer.write(b"\x05\x08\x00\x01\x00\x00\x00\x00\x00\x00")
            writer.close()
            return
        port = int.from_bytes(await reader.readexactly(2), "big")
        if command != 1:
            writer.write(b"\x05\x07\x00\x01\x00\x00\x00\x00\x00\x00")
            writer.close()
            return
        log(f"CONNECT {shown} {host} {port}")
        try:
            target_reader, target_writer = await asyncio.open_connection(host, port)
        except OSError:
            log(f"REFUSED {host} {port}")
            writer.write(b"\x05\x05\x00\x01\x00\x00\x00\x00\x00\x00")
            await writer.drain()
            writer.close()
            return
        writer.write(b"\x05\x00\x00\x01\x7f\x00\x00\x01\x00\x00")
        await writer.drain()
        await asyncio.gather(relay(reader, target_writer), relay(target_reader, writer))
    except (asyncio.IncompleteReadError, ConnectionError):
        writer.close()


async def main():
    credentials = None
    if "--auth" in sys.argv:
        credentials = sys.argv[sys.argv.index("--auth") + 1]
    server = await asyncio.start_server(lambda r, w: handle(r, w, credentials), "127.0.0.1", 0, family=socket.AF_INET)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())

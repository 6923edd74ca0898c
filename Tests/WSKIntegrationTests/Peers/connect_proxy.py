"""A minimal HTTP CONNECT proxy on 127.0.0.1 (port printed first). Logs each CONNECT
target to stderr. With --auth USER:PASS, requires Proxy-Authorization: Basic."""
import asyncio
import base64
import sys

auth = sys.argv[sys.argv.index("--auth") + 1] if "--auth" in sys.argv else None


async def pipe(reader, writer):
    try:
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(reader, writer):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    method, target, _ = lines[0].split(" ")
    if method != "CONNECT":
        writer.write(b"HTTP/1.1 405 Method Not Allowed\r\n\r\n")
        writer.close()
        return
    if auth:
        expected = "Basic " + base64.b64encode(auth.encode()).decode()
        if not any(l.lower().startswith("proxy-authorization:") and l.split(":", 1)[1].strip() == expected for l in lines):
            writer.write(b"HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 0\r\n\r\n")
            await writer.drain()
            writer.close()
            return
    print(f"CONNECT {target}", file=sys.stderr, flush=True)
    host, port = target.rsplit(":", 1)
    upstream_reader, upstream_writer = await asyncio.open_connection(host.strip("[]"), int(port))
    writer.write(b"HTTP/1.1 200 Connection Established\r\n\r\n")
    await writer.drain()
    await asyncio.gather(pipe(reader, upstream_writer), pipe(upstream_reader, writer))


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    await server.serve_forever()


asyncio.run(main())

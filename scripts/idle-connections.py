#!/usr/bin/env python3
"""Opens N idle WebSocket connections to a loopback server and prints the server's RSS.

usage: idle-connections.py PORT PID [N]

Each connection does a real RFC 6455 handshake (no extensions), then stays silent. Once
all are open, the server's VmRSS (from /proc/PID/status) is printed, then all close.
"""
import base64
import os
import resource
import selectors
import socket
import sys
import time

port, pid = int(sys.argv[1]), int(sys.argv[2])
count = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, count + 1000), hard))


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


before = rss_kib(pid)
sockets = []
selector = selectors.DefaultSelector()
pending = {}
for i in range(count):
    s = socket.create_connection(("127.0.0.1", port))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall(
        f"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    s.setblocking(False)
    selector.register(s, selectors.EVENT_READ)
    pending[s] = b""
    sockets.append(s)
    # Keep the number of unanswered handshakes bounded.
    while len(pending) > 500:
        for key_, _ in selector.select(timeout=5):
            sock = key_.fileobj
            data = sock.recv(4096)
            pending[sock] += data
            if b"\r\n\r\n" in pending[sock]:
                if not pending[sock].startswith(b"HTTP/1.1 101"):
                    sys.exit(f"handshake refused: {pending[sock][:40]!r}")
                selector.unregister(sock)
                del pending[sock]
deadline = time.time() + 30
while pending and time.time() < deadline:
    for key_, _ in selector.select(timeout=5):
        sock = key_.fileobj
        pending[sock] += sock.recv(4096)
        if b"\r\n\r\n" in pending[sock]:
            selector.unregister(sock)
            del pending[sock]
time.sleep(1)
after = rss_kib(pid)
print(f"connections={len(sockets) - len(pending)} rss_before_kib={before} rss_after_kib={after} "
      f"per_connection_bytes={(after - before) * 1024 // max(1, len(sockets))}")
for s in sockets:
    s.close()

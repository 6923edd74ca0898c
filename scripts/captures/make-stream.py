#!/usr/bin/env python3
"""Writes a stream of masked client frames for scripts/bench-frame-dump.sh.

Usage: make-stream.py MIB OUT.bin [--pcap OUT.pcap]

Binary frames alternating 4 KiB and 16 KiB payloads, each with its own masking key (a
block of distinct frames is generated once and repeated). With --pcap the same bytes are
also wrapped in a classic pcap: a TCP handshake, an HTTP upgrade and the frames in
64 KiB segments on 127.0.0.1 (Ethernet link type), so tshark and frame-dump --pcap can
decode them."""
import os
import random
import struct
import sys

mib = int(sys.argv[1])
out = sys.argv[2]
pcap = sys.argv[sys.argv.index("--pcap") + 1] if "--pcap" in sys.argv else None
rng = random.Random(6455)


def frame(size):
    payload = bytes(rng.getrandbits(8) for _ in range(64)) * (size // 64)
    key = rng.getrandbits(32).to_bytes(4, "big")
    words = int.from_bytes(key * (size // 4), "big")
    masked = (int.from_bytes(payload, "big") ^ words).to_bytes(size, "big")
    header = bytes([0x82, 0x80 | 126]) + struct.pack(">H", size) if size < 65536 else None
    return header + key + masked


block = b"".join(frame(4096) + frame(16384) for _ in range(100))  # ~2 MiB of frames
target = mib * 1024 * 1024
with open(out, "wb") as f:
    written = 0
    while written + len(block) <= target:
        f.write(block)
        written += len(block)

if pcap:
    data = open(out, "rb").read()
    key = b"dGhlIHNhbXBsZSBub25jZQ=="
    request = (b"GET /bench HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               b"Sec-WebSocket-Key: " + key + b"\r\nSec-WebSocket-Version: 13\r\n\r\n")
    response = (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                b"Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n")

    def checksum(b):
        if len(b) % 2:
            b += b"\0"
        s = sum(struct.unpack(f">{len(b) // 2}H", b))
        while s >> 16:
            s = (s & 0xFFFF) + (s >> 16)
        return ~s & 0xFFFF

    def packet(src_port, dst_port, seq, ack, flags, payload):
        tcp = struct.pack(">HHIIBBHHH", src_port, dst_port, seq, ack, 5 << 4, flags, 65535, 0, 0) + payload
        ip = struct.pack(">BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 0, 0x4000, 64, 6, 0, bytes([127, 0, 0, 1]), bytes([127, 0, 0, 1]))
        ip = ip[:10] + struct.pack(">H", checksum(ip)) + ip[12:]
        pseudo = ip[12:20] + struct.pack(">BBH", 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack(">H", checksum(pseudo + tcp)) + tcp[18:]
        return b"\0" * 12 + b"\x08\x00" + ip + tcp

    with open(pcap, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1))
        t = 0

        def write(p):
            global t
            t += 1
            f.write(struct.pack("<IIII", 1700000000 + t // 1000000, t % 1000000, len(p), len(p)) + p)

        c, s = 1000, 5000
        write(packet(40000, 8080, c, 0, 0x02, b""))
        write(packet(8080, 40000, s, c + 1, 0x12, b""))
        c += 1
        s += 1
        write(packet(40000, 8080, c, s, 0x10, b""))
        write(packet(40000, 8080, c, s, 0x18, request))
        c += len(request)
        write(packet(8080, 40000, s, c, 0x18, response))
        s += len(response)
        for i in range(0, len(data), 65000):
            chunk = data[i:i + 65000]
            write(packet(40000, 8080, c & 0xFFFFFFFF, s, 0x18, chunk))
            c += len(chunk)

#!/usr/bin/env python3
"""Writes the seed corpora under FuzzTesting/Corpus/<target>/ (deterministic: run it again
after changing an input layout, and commit the result). Each target's input layout is
described at the top of its source file; the seeds here follow those layouts so that
they get past the first checks (right masking for the role, the accept value for the
fixed key, a 101 status, complete capture files, ...)."""
import os, struct, zlib, base64, hashlib, shutil, sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
CORPUS = os.path.join(ROOT, "Corpus")
CAPTURES = os.path.join(ROOT, "..", "Tests", "WSKCLITests", "Resources", "Captures")

def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(bytes(data))

def reset(target):
    shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)

# ---------------------------------------------------------------- frames
KEY = bytes([0x37, 0xFA, 0x21, 0x3D])

def frame(opcode, payload=b"", fin=True, rsv=0, mask=None, length_form=None):
    b0 = (0x80 if fin else 0) | (rsv << 4) | opcode
    n = len(payload)
    mbit = 0x80 if mask else 0
    if length_form == 16 or (length_form is None and 126 <= n < 65536):
        head = bytes([b0, mbit | 126]) + struct.pack(">H", n)
    elif length_form == 64 or (length_form is None and n >= 65536):
        head = bytes([b0, mbit | 127]) + struct.pack(">Q", n)
    else:
        head = bytes([b0, mbit | n])
    if mask:
        payload = bytes(c ^ mask[i % 4] for i, c in enumerate(payload))
        return head + mask + payload
    return head + payload

def deflate(data, wbits=15, level=6):
    c = zlib.compressobj(level, zlib.DEFLATED, -wbits)
    out = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)
    assert out.endswith(b"\x00\x00\xff\xff")
    return out[:-4]

def streams(masked):
    m = KEY if masked else None
    hello_deflate = bytes.fromhex("f248cdc9c90700")
    bomb = deflate(b"\x00" * 200_000)
    return {
        "hello": frame(1, b"Hello", mask=m),
        "fragmented": frame(1, b"Hel", fin=False, mask=m) + frame(0, b"lo", mask=m),
        "ping-pong": frame(9, b"Hello", mask=m) + frame(10, b"Hello", mask=m),
        "interleaved-ping": frame(1, b"Hel", fin=False, mask=m) + frame(9, b"x", mask=m) + frame(0, b"lo", mask=m),
        "close-1000": frame(8, struct.pack(">H", 1000) + b"bye", mask=m),
        "close-empty": frame(8, b"", mask=m),
        "close-1-byte": frame(8, b"\x03", mask=m),
        "close-1005": frame(8, struct.pack(">H", 1005), mask=m),
        "after-close": frame(8, struct.pack(">H", 1000), mask=m) + frame(1, b"late", mask=m),
        "len16": frame(2, bytes(range(256)) * 1, mask=m),
        "len16-nonminimal": frame(2, b"abc", mask=m, length_form=16),
        "len64-nonminimal": frame(2, b"abc", mask=m, length_form=64),
        "len64-high-bit": bytes([0x82, 0x7F | (0x80 if m else 0), 0x80, 0, 0, 0, 0, 0, 0, 1]),
        "reserved-opcode": frame(3, b"x", mask=m),
        "rsv2": frame(1, b"x", rsv=2, mask=m),
        "control-fragmented": frame(9, b"x", fin=False, mask=m),
        "control-too-long": frame(9, b"p" * 126, mask=m),
        "utf8-split": frame(1, b"\xce", fin=False, mask=m) + frame(0, b"\xba\xe1\xbd\xb9", mask=m),
        "utf8-invalid": frame(1, b"ab\xc0\xafcd", mask=m),
        "utf8-truncated": frame(1, b"ab\xe2\x82", mask=m),
        "continuation-without-start": frame(0, b"x", mask=m),
        "binary-two": frame(2, b"\x00\x01", mask=m) + frame(2, b"", mask=m),
        "deflate-hello": frame(1, hello_deflate, rsv=4, mask=m) + frame(1, bytes.fromhex("f200110000"), rsv=4, mask=m),
        "deflate-fragmented": frame(1, hello_deflate[:3], fin=False, rsv=4, mask=m) + frame(0, hello_deflate[3:], mask=m),
        "deflate-bomb": frame(2, bomb, rsv=4, mask=m),
        "deflate-bomb-text": frame(1, deflate(b"a" * 100_000), rsv=4, mask=m),
        "deflate-corrupt": frame(1, b"\xff\xff\xff", rsv=4, mask=m),
        "deflate-control-rsv1": frame(9, b"x", rsv=4, mask=m),
    }

def frame_decoder():
    t = "FuzzFrameDecoder"; reset(t)
    for role_bit, masked in ((0x00, True), (0x80, False)):
        for name, data in streams(masked).items():
            for extra in (0x00, 0x23, 0x40 | 0x05, 0x20 | 0x01, 0x10 | 0x0C, 0x60 | 0x0F):
                write(t, f"{name}-{role_bit | extra:02x}", bytes([role_bit | extra]) + data)

def connection():
    t = "FuzzConnection"; reset(t)
    for role_bit, masked in ((0x00, True), (0x80, False)):
        for name, data in streams(masked).items():
            deflating = name.startswith("deflate")
            selectors = [0x40 | 0x07, 0x50 | 0x01, 0x60 | 0x03] if deflating else [0x00, 0x12, 0x2F]
            for s in selectors:
                if deflating:
                    # Limits: 1 MiB, 64 KiB, 1000 (bombs hit "inflated message too large").
                    options = [0x00, 0x23, 0x41 | 0x80, 0x1E]
                else:
                    options = [0x00, 0x60, 0x80]
                for o in options:
                    write(t, f"{name}-{role_bit | s:02x}-{o:02x}", bytes([role_bit | s, o]) + data)

def inflate():
    t = "FuzzInflate"; reset(t)
    # Inflate mode: selector bit 7 clear, bits 0-5 chunk size, bit 6 the 1000-byte limit.
    raw = {
        "hello": bytes.fromhex("f248cdc9c90700"),
        "stored": bytes.fromhex("0005 00fa ff48 656c 6c6f 00".replace(" ", "")),
        "bomb-zeros": deflate(b"\x00" * 300_000),
        "bomb-text": deflate(b"abc" * 40_000),
        "two-blocks-bfinal": zlib.compressobj(6, zlib.DEFLATED, -15).compress(b"x" * 10) + zlib.compressobj(6, zlib.DEFLATED, -15).flush(),
        "window-distance": deflate(bytes(range(256)) * 200),
        "corrupt": b"\xff\xfe\xfd",
        "truncated": deflate(b"Hello, world" * 20)[:-3],
    }
    for name, data in raw.items():
        for s in (0x00, 0x07, 0x3F, 0x40 | 0x10):
            write(t, f"inflate-{name}-{s:02x}", bytes([s]) + data)
    # Round-trip mode: bit 7 set; byte 1 agreement, byte 2 level and split; messages.
    def msgs(*items):
        out = b""
        for m in items:
            if isinstance(m, tuple):  # (count in 300s, byte): a long repeated message
                out += bytes([0xEF + m[0], m[1]])
            else:
                assert len(m) < 0xF0
                out += bytes([len(m)]) + m
        return out
    lists = {
        "hello-twice": msgs(b"Hello", b"Hello"),
        "empty-and-text": msgs(b"", b"abc", b""),
        "long-runs": msgs((3, 0x61), b"tail", (16, 0x00)),
        "varied": msgs(bytes(range(200)), bytes(range(200))[::-1], b"Hello" * 30),
    }
    for name, body in lists.items():
        for agreement in (0x00, 0x03, 0x1C, 0xE0, 0x00 | (0 << 2) | (0 << 5), 0xFF, 0x05 | (2 << 5)):
            for level in (0x06, 0x10, 0x39, 0xF0):
                write(t, f"roundtrip-{name}-{agreement:02x}-{level:02x}", bytes([0x80, agreement, level]) + body)

def accept(key):
    return base64.b64encode(hashlib.sha1((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").encode()).digest()).decode()

def handshake_response():
    t = "FuzzHandshakeResponse"; reset(t)
    # The harness's fixed key (generator seeded with 7): HHxKf7l5N54x+JT+cvNuPA==.
    value = accept("HHxKf7l5N54x+JT+cvNuPA==")
    assert value == "MtggOc+0+CFwX1ceSD8nUpkKbeI="
    base = f"Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: {value}\n"
    extensions = [
        "",
        "Sec-WebSocket-Protocol: chat\n",
        "Sec-WebSocket-Extensions: permessage-deflate\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10; client_max_window_bits=9\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\n",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits=8; server_max_window_bits=8\n",
        "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=\"12\"\nSec-WebSocket-Protocol: superchat\n",
        "Sec-WebSocket-Extensions: x-unknown\n",
        "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\n",
        "Sec-WebSocket-Extensions: PERMESSAGE-DEFLATE; SERVER_MAX_WINDOW_BITS=9, permessage-deflate\n",
    ]
    for i, ext in enumerate(extensions):
        for options in (0x00, 0x01, 0x02 | (3 << 2), 0x80 | (1 << 5), 0xFF, 0x03 | (7 << 2) | (2 << 5)):
            write(t, f"101-{i}-{options:02x}", b"\x00\x01" + bytes([options]) + (base + ext).encode())
    write(t, "404", b"\x01\x2c\x00Content-Length: 0\n")
    write(t, "101-wrong-accept", b"\x00\x01\x00Upgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\n")

def handshake_request():
    t = "FuzzHandshakeRequest"  # keep the existing seeds, add a few
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    base = f"Host: example.com\nUpgrade: websocket\nConnection: Upgrade\nSec-WebSocket-Key: {key}\nSec-WebSocket-Version: 13\n"
    write(t, "extensions", b"\x14" + (base + "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits, x-foo\nSec-WebSocket-Protocol: chat, superchat\n").encode())
    write(t, "bad-key", b"\x14" + base.replace(key, "short").encode())
    write(t, "http10", b"\x10" + base.encode())

def extension_header():
    t = "FuzzExtensionHeader"
    write(t, "issue14-combining-mark", bytes.fromhex("613b20623d225c22cc8122"))
    write(t, "issue14-backslash-control", b'ux="998\\\x02999ab"')
    write(t, "empty-elements", b" , permessage-deflate ,, x; a=\"\" ,")
    write(t, "obs-text", b'x; a="\xc3\xa9\\\xc3\xa9"; b=\t"tab\there"')
    write(t, "server-offers", b"permessage-deflate; server_max_window_bits=8; client_max_window_bits=15; server_no_context_takeover; client_no_context_takeover")

# ---------------------------------------------------------------- captures
def be16(v): return struct.pack(">H", v)
def be32(v): return struct.pack(">I", v)

def tcp(src, dst, sport, dport, seq, ack, flags, payload=b""):
    t = be16(sport) + be16(dport) + be32(seq) + be32(ack) + bytes([5 << 4, flags]) + be16(65535) + b"\0\0\0\0" + payload
    if len(src) == 4:
        return bytes([0x45, 0]) + be16(20 + len(t)) + bytes([0, 0, 0x40, 0, 64, 6, 0, 0]) + src + dst + t
    return bytes([0x60, 0, 0, 0]) + be16(len(t)) + bytes([6, 64]) + src + dst + t

def wrap(link, ip):
    v6 = ip[0] >> 4 == 6
    et = b"\x86\xdd" if v6 else b"\x08\x00"
    return {
        0: (b"\x1e\0\0\0" if v6 else b"\x02\0\0\0") + ip,
        1: bytes(12) + et + ip,
        12: ip, 14: ip, 101: ip, 228: ip, 229: ip,
        108: (b"\0\0\0\x18" if v6 else b"\0\0\0\x02") + ip,
        113: bytes([0, 0, 0, 1, 0, 6]) + bytes(8) + et + ip,
        276: et + bytes([0, 0, 0, 0, 0, 1, 0, 1, 0, 0, 6]) + bytes(7) + ip,
        "vlan": bytes(12) + b"\x81\x00\x00\x05" + et + ip + b"\0\0\0\0",
    }[link]

def conversation(v6=False, isn_client=1000, isn_server=5000, deflate_ext=False):
    c = bytes([0x20, 1, 0xd, 0xb8] + [0] * 11 + [1]) if v6 else bytes([10, 0, 0, 1])
    s = bytes([0] * 15 + [1]) if v6 else bytes([10, 0, 0, 2])
    key = "dGhlIHNhbXBsZSBub25jZQ=="
    req = (f"GET /chat HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
           f"Sec-WebSocket-Version: 13\r\n" + ("Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate_ext else "") + "\r\n").encode()
    resp = (f"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: {accept(key)}\r\n"
            + ("Sec-WebSocket-Extensions: permessage-deflate\r\n" if deflate_ext else "") + "\r\n").encode()
    if deflate_ext:
        cframes = frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4, mask=KEY) + frame(8, be16(1000), mask=KEY)
        sframes = frame(1, bytes.fromhex("f248cdc9c90700"), rsv=4) + frame(8, be16(1000))
    else:
        cframes = frame(1, b"Hello", mask=KEY) + frame(9, b"p", mask=KEY) + frame(8, be16(1000), mask=KEY)
        sframes = frame(1, b"Hello") + frame(10, b"p") + frame(8, be16(1000))
    cs, ss = isn_client, isn_server
    M = 0xFFFFFFFF
    out = [tcp(c, s, 40000, 80, cs, 0, 0x02), tcp(s, c, 80, 40000, ss, cs + 1 & M, 0x12)]
    cs = cs + 1 & M; ss = ss + 1 & M
    out.append(tcp(c, s, 40000, 80, cs, ss, 0x18, req)); cs = cs + len(req) & M
    out.append(tcp(s, c, 80, 40000, ss, cs, 0x18, resp)); ss = ss + len(resp) & M
    # Server frames out of order, then the client's.
    half = len(sframes) // 2
    out.append(tcp(s, c, 80, 40000, ss + half & M, cs, 0x18, sframes[half:]))
    out.append(tcp(s, c, 80, 40000, ss, cs, 0x18, sframes[:half])); ss = ss + len(sframes) & M
    out.append(tcp(c, s, 40000, 80, cs, ss, 0x18, cframes)); cs = cs + len(cframes) & M
    out.append(tcp(c, s, 40000, 80, cs, ss, 0x11)); out.append(tcp(s, c, 80, 40000, ss, cs + 1 & M, 0x11))
    return out

def pcap(frames, link, big=False, nanos=False):
    e = ">" if big else "<"
    out = struct.pack(e + "IHHiIII", 0xA1B23C4D if nanos else 0xA1B2C3D4, 2, 4, 0, 0, 262144, link)
    for i, f in enumerate(frames):
        out += struct.pack(e + "IIII", 1_700_000_000, i, len(f), len(f)) + f
    return out

def block(e, btype, body):
    while len(body) % 4: body += b"\0"
    n = 12 + len(body)
    return struct.pack(e + "II", btype, n) + body + struct.pack(e + "I", n)

def pcapng(frames_by_if, links, big=False, tsresol=9, simple=False, obsolete=False):
    e = ">" if big else "<"
    out = block(e, 0x0A0D0D0A, struct.pack(e + "IHHq", 0x1A2B3C4D, 1, 0, -1))
    for link in links:
        opts = struct.pack(e + "HH", 9, 1) + bytes([tsresol, 0, 0, 0]) + struct.pack(e + "HH", 0, 0)
        out += block(e, 1, struct.pack(e + "HHI", link, 0, 0) + opts)
    for i, (ifc, f) in enumerate(frames_by_if):
        if simple and i % 3 == 2:
            out += block(e, 3, struct.pack(e + "I", len(f)) + f)
        elif obsolete and i % 3 == 1:
            out += block(e, 2, struct.pack(e + "HHIIII", ifc, 0, 0, i, len(f), len(f)) + f)
        else:
            out += block(e, 6, struct.pack(e + "IIIII", ifc, 0, i, len(f), len(f)) + f)
    return out

def capture_file():
    t = "FuzzCaptureFile"; reset(t)
    for name in sorted(os.listdir(CAPTURES)):
        if name.endswith((".pcap", ".pcapng")):
            with open(os.path.join(CAPTURES, name), "rb") as f:
                write(t, "real-" + name, f.read())
    for link in (0, 1, 12, 14, 101, 108, 113, 228, 229, 276, "vlan"):
        v6 = link == 229
        lt = 1 if link == "vlan" else link
        frames = [wrap(link, ip) for ip in conversation(v6=v6)]
        write(t, f"pcap-link-{link}", pcap(frames, lt))
    frames = [wrap(1, ip) for ip in conversation(isn_client=0xFFFFFFF0, isn_server=0xFFFFFF00)]
    write(t, "pcap-wraparound-be-nanos", pcap(frames, 1, big=True, nanos=True))
    frames = [wrap(1, ip) for ip in conversation(deflate_ext=True)]
    write(t, "pcap-deflate", pcap(frames, 1))
    v4 = [(0, wrap(276, ip)) for ip in conversation()]
    v6 = [(1, wrap(1, ip)) for ip in conversation(v6=True)]
    write(t, "pcapng-two-interfaces", pcapng(v4 + v6, [276, 1]))
    write(t, "pcapng-big-endian-simple", pcapng(v4, [276], big=True, simple=True))
    write(t, "pcapng-obsolete-tsresol-pow2", pcapng([(0, wrap(113, ip)) for ip in conversation()], [113], tsresol=0x8A, obsolete=True))
    two_sections = pcapng(v4[:4], [276]) + pcapng([(0, f) for _, f in v6[4:]], [1], big=True)
    write(t, "pcapng-two-sections", two_sections)
    # An Interface Description Block whose trailing length reads as if_tsresol (its options
    # were once read past the block), then a Simple and an Enhanced Packet Block.
    e = "<"
    idb = struct.pack(e + "IIHHII", 1, 20, 1, 0, 0, 9)
    write(t, "pcapng-idb-trailer-as-option", struct.pack(e + "IIIHHqI", 0x0A0D0D0A, 28, 0x1A2B3C4D, 1, 0, -1, 28) + idb
          + struct.pack(e + "IIII", 3, 16, 0, 16) + struct.pack(e + "IIIIIIII", 6, 32, 0, 0, 1, 0, 0, 32))
    # Issue 14's crash input (an Enhanced Packet Block with a huge timestamp), as a seed too.
    write(t, "issue14-pcapng-timestamp", ISSUE14_PCAPNG)

ISSUE14_PCAPNG = bytes.fromhex(
    "0a0d0d0a1c0000004d3c2b1a01000000ffffffffffffffff1c000000010000001400000001000000"
    "0000000014000000060000002000000000000000ffffffff00000000000000000000000020000000")

def tcp_reassembler():
    t = "FuzzTCPReassembler"; reset(t)
    def order(isn_c, isn_s, fins, seed, segs):
        out = bytes([0x00]) + be32(isn_c) + be32(isn_s) + bytes([fins, seed])
        for d, off, n in segs:
            out += bytes([(d << 7) | n]) + be16(off)
        return out
    write(t, "order-in-sequence", order(1000, 5000, 3, 1, [(0, 0, 10), (0, 10, 10), (1, 0, 20), (1, 20, 5)]))
    write(t, "order-wraparound", order(0xFFFFFFF8, 0xFFFFFFFF, 3, 7, [(0, 0, 5), (0, 5, 20), (1, 0, 30), (0, 25, 3)]))
    write(t, "order-overlaps", order(7, 0x7FFFFFFF, 1, 3, [(0, 0, 10), (0, 5, 10), (0, 3, 2), (0, 12, 30), (1, 4, 4), (1, 0, 6)]))
    write(t, "order-hole", order(0x80000000, 1, 3, 9, [(0, 0, 10), (0, 20, 10), (1, 100, 5), (1, 0, 99)]))
    write(t, "order-retransmit", order(42, 42, 2, 5, [(0, 0, 50), (0, 0, 50), (0, 10, 20), (1, 0, 1), (1, 0, 2), (1, 1, 1)]))
    def raw(limit, segs):
        out = bytes([0x80 | limit])
        for flags, ends, seq, payload in segs:
            out += bytes([flags, ends]) + be32(seq) + bytes([len(payload)]) + payload
        return out
    write(t, "raw-connection", raw(0, [(0x02, 0x04, 100, b""), (0x12, 0x01, 900, b""), (0x18, 0x04, 101, b"hello"), (0x18, 0x01, 901, b"world"), (0x11, 0x04, 106, b""), (0x11, 0x01, 906, b"")]))
    write(t, "raw-gap-limit", raw(1, [(0x02, 0x04, 0xFFFFFFF0, b""), (0x18, 0x04, 0xFFFFFFFF, b"ab"), (0x18, 0x04, 20, b"x" * 30), (0x18, 0x04, 60, b"y" * 10)]))
    write(t, "raw-reset-reuse", raw(2, [(0x02, 0x04, 1, b""), (0x04, 0x01, 5, b""), (0x02, 0x04, 500, b""), (0x18, 0x04, 501, b"again")]))
    write(t, "raw-two-pairs", raw(3, [(0x18, 0x0E, 1, b"v6"), (0x18, 0x04, 1, b"v4"), (0x18, 0x0B, 9, b"x"), (0x01, 0x0E, 3, b"")]))

def http_head():
    t = "FuzzHTTPHead"; reset(t)
    heads = {
        "request": b"GET /chat HTTP/1.1\r\nHost: example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n\x81\x05Hello",
        "response": b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n",
        "lf-only": b"HTTP/1.0 200 OK\nA: b\n\nbody",
        "folded": b"GET / HTTP/1.1\r\nX: one\r\n  two\r\n\tthree\r\nY:\t \r\n\r\n",
        "not-http": b"SSH-2.0-OpenSSH\r\n\r\n",
        "control": b"GET / HTTP/1.1\r\nA: \x01\r\n\r\n",
        "incomplete": b"GET / HTTP/1.1\r\nHost: x\r\n",
        "mixed-endings": b"GET / HTTP/1.1\nA: b\r\n\r\n",
    }
    for name, data in heads.items():
        for s in (0x00, 0x05, 0x0F):
            write(t, f"{name}-{s:02x}", bytes([s]) + data)
        write(t, f"{name}-padded", bytes([0xC0 | 0x02]) + data)
    write(t, "limit-boundary", bytes([0xC0]) + b"GET / HTTP/1.1\r\n\n\n")
    # Padded so that the blank line ends one byte past the 64 KiB limit (the harness's
    # padding: 64-byte filler lines up to maxLength - len + (selector & 15) - 8).
    body = b"GET / HTTP/1.1\r\nA: b\r\nX\n\n"
    for low in range(16):
        room = max(0, 65536 - len(body) + low - 8)
        filler = (room // 64) * 64
        if room - filler >= 12:
            filler = room
        if len(body) + filler == 65537:
            write(t, "limit-straddle", bytes([0xC0 | low]) + body)
            break

def byte_text():
    t = "FuzzByteText"; reset(t)
    samples = {
        "frame": bytes.fromhex("810548656c6c6f"),
        "all-bytes": bytes(range(256)),
        "pipes": b"ABCDEFGHIJKLMNO|ab|",
        "text": b"Hello, wsk: 0x41 \\x42 ab:cd",
        "empty": b"",
    }
    for name, data in samples.items():
        for fmt in range(11):
            for crlf in (0, 0x10):
                write(t, f"{name}-{fmt | crlf:02x}", bytes([fmt | crlf]) + data)
    write(t, "text-xxd", b"\x00" + b"00000000: 8105 4865 6c6c 6f                        ..Hello\n")
    write(t, "text-hexdump", b"\x00" + b"00000000  81 05 48 65 6c 6c 6f                             |..Hello|\n00000007\n")
    write(t, "text-base64", b"\x00" + b"gQVIZWxsbw==\n")

if __name__ == "__main__":
    frame_decoder(); connection(); inflate(); handshake_response(); handshake_request()
    extension_header(); capture_file(); tcp_reassembler(); http_head(); byte_text()
    for target in sorted(os.listdir(CORPUS)):
        print(target, len(os.listdir(os.path.join(CORPUS, target))))

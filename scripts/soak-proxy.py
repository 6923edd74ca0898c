#!/usr/bin/env python3
"""Soak `wsk proxy`: N clients for S seconds through the proxy, random sizes, text and
binary, some clients slow. Every echo is checked byte for byte and in order; prints the
messages, the bytes, the errors, and the proxy's peak RSS (sampled from /proc).

    scripts/soak-proxy.py PROXY_URL PROXY_PID [--clients 100] [--seconds 60] [--text-only]

Needs the Python `websockets` package. Exit status 1 when anything was lost, reordered,
altered, or a connection failed.
"""
import argparse
import asyncio
import os
import random
import time

import websockets


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def payload(rng, text_only):
    # Mostly small, sometimes large (up to 1 MiB).
    size = rng.choice([0, 1, 16, 125, 126, 1000, 4096, 65535, 65536, 200_000, 1 << 20]) if rng.random() < 0.3 else rng.randint(0, 2048)
    if text_only or rng.random() < 0.5:
        alphabet = "abcdefghijklmnopqrstuvwxyz0123456789 κόσμε✓"
        chunk = "".join(rng.choice(alphabet) for _ in range(min(size, 4096)))
        return (chunk * (size // max(len(chunk), 1) + 1))[:size]
    return os.urandom(size)


async def client(index, url, deadline, text_only, stats):
    rng = random.Random(index)
    slow = index % 10 == 0  # one client in ten reads slowly
    try:
        async with websockets.connect(url, max_size=None, compression=None if index % 2 else "deflate") as ws:
            sequence = 0
            while time.monotonic() < deadline:
                message = payload(rng, text_only)
                tagged = (f"{sequence}:" + message) if isinstance(message, str) else sequence.to_bytes(8, "big") + message
                await ws.send(tagged)
                if slow:
                    await asyncio.sleep(0.05)
                echo = await asyncio.wait_for(ws.recv(), timeout=30)
                if echo != tagged:
                    stats["errors"] += 1
                    stats["first_error"] = stats["first_error"] or f"client {index}: echo {sequence} differs (lost, reordered or altered)"
                stats["messages"] += 1
                stats["bytes"] += len(tagged)
                sequence += 1
    except Exception as error:  # noqa: BLE001 - every failure counts
        stats["errors"] += 1
        stats["first_error"] = stats["first_error"] or f"client {index}: {type(error).__name__}: {error}"


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("pid", type=int)
    parser.add_argument("--clients", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--text-only", action="store_true")
    args = parser.parse_args()
    stats = {"messages": 0, "bytes": 0, "errors": 0, "first_error": None}
    peak = 0
    deadline = time.monotonic() + args.seconds
    tasks = [asyncio.create_task(client(i, args.url, deadline, args.text_only, stats)) for i in range(args.clients)]
    while not all(task.done() for task in tasks):
        peak = max(peak, rss_kib(args.pid))
        await asyncio.sleep(0.2)
    print(f"clients={args.clients} seconds={args.seconds:.0f} messages={stats['messages']} "
          f"bytes={stats['bytes']} errors={stats['errors']} proxy_peak_rss_kib={peak}")
    if stats["first_error"]:
        print("first error:", stats["first_error"])
    return 1 if stats["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))

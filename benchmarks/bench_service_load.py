"""Load test of the HTTP service: `POST /v1/recommendations` on a 110,000-shop catalog, loopback only.

A real `rih serve` process (embedded defaults: SQLite store with every decision committed before the answer)
and a small asyncio HTTP/1.1 load generator in this process on keep-alive connections, so the client costs
far less CPU than the server on a 2-core machine.

Open loop: requests are *scheduled* at a fixed rate and latency counts from the scheduled instant, so a
stalled server is charged for the requests queued behind it (no coordinated omission). Phases:
  0. probe     every body of the mix once (warm-up); those the service answers 422 no_candidates (an
               impossible ask, rightly refused) leave the mix, so any non-200 afterwards is an error;
  1. baseline  GET /healthz at the target rate (what the server and harness cost with no work);
  2. target    POST /v1/recommendations at the target rate (default 300/s) for --seconds, --repeat times
               (windows back to back on the same server: on a shared VM one window is one sample);
  3. ceiling   POST /v1/recommendations closed loop on --connections connections (the most it sustains).
Usage: python -m benchmarks.bench_service_load [--shops 110000] [--rate 300] [--seconds 20] [--repeat 1]
       [--check]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from benchmarks.common import BENCH_DIR, cached_catalog, p

OPS_KEY = "bench-ops-key-0123456789abcdef"
CITIES = [
    "Shanghai", "Beijing", "Shenzhen", "Guangzhou", "Chengdu", "Wuhan", "Hangzhou", "Nanjing", "Xi'an",
    "Chongqing", "Tianjin", "Suzhou", "Qingdao", "Changsha", "Zhengzhou", "Shenyang", "Dalian", "Xiamen",
]  # fmt: skip
MAKES = ["BMW", "Toyota", "Volkswagen", "Honda", "BYD", "Tesla", "Mercedes-Benz", "Audi", "Nissan", "Buick"]
DAMAGE = [
    ["collision"],
    ["paint"],
    ["glass"],
    ["collision", "paint"],
    ["electrical"],
    ["ev_battery"],
    ["tire"],
]


@dataclass
class Phase:
    name: str
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)  # "HTTP 503", "ConnectionResetError", ...
    started: float = 0.0
    ended: float = 0.0

    def fail(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] += 1

    @property
    def rate(self) -> float:
        return len(self.latencies_ms) / max(self.ended - self.started, 1e-9)

    def row(self) -> str:
        lat = np.asarray(self.latencies_ms or [np.nan])
        return (
            f"{self.name:<34} {len(self.latencies_ms):>7} {self.rate:>9.1f} {p(lat, 50):>8.2f} "
            f"{p(lat, 99):>8.2f} {lat.max():>8.2f} {self.errors:>6}"
        )


def request_bodies(n: int, seed: int = 3) -> list[bytes]:
    rng = random.Random(seed)
    bodies = []
    for _ in range(n):
        prefs: dict[str, object] = {
            "city": rng.choice(CITIES),
            "vehicle": {"make": rng.choice(MAKES)},
            "damage": {"types": rng.choice(DAMAGE)},
            "language": rng.choice(["en", "zh"]),
        }
        if rng.random() < 0.3:
            prefs["max_distance_km"] = rng.choice([20, 30, 50])
        if rng.random() < 0.2:
            prefs["dealer_preference"] = "authorized"
        if rng.random() < 0.3:
            prefs["top_priority"] = rng.choice(["distance", "quality", "speed", "cost"])
        bodies.append(json.dumps({"preferences": prefs, "k": 3}).encode())
    return bodies


def http_request(method: str, path: str, port: int, body: bytes = b"") -> bytes:
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {OPS_KEY}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


# The client forgets a keep-alive connection idle this long, under uvicorn's 5 s keep-alive timeout (as HTTP
# clients do): else the server may close it just as a request goes out, and the request meets a reset.
IDLE_EXPIRY_S = 4.0


class Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader, self.writer = reader, writer
        self.last_used = time.perf_counter()

    @property
    def stale(self) -> bool:
        return self.reader.at_eof() or time.perf_counter() - self.last_used > IDLE_EXPIRY_S

    async def call(self, raw: bytes) -> int:
        self.last_used = time.perf_counter()
        self.writer.write(raw)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        await self.reader.readexactly(length)
        self.last_used = time.perf_counter()
        return int(status_line.split()[1])


async def connect(port: int) -> Connection:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    return Connection(reader, writer)


async def open_loop(phase: Phase, port: int, raws: list[bytes], rate: float, seconds: float) -> Phase:
    """Send request i at start + i / rate on any idle connection (a new one if none is idle)."""
    idle: list[Connection] = [await connect(port) for _ in range(8)]
    tasks = []

    async def one(raw: bytes, due: float) -> None:
        while idle and idle[-1].stale:  # closed, or soon to be, by the server's keep-alive timeout
            idle.pop().writer.close()
        conn = idle.pop() if idle else await connect(port)
        try:
            status = await conn.call(raw)
        except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
            phase.fail(type(error).__name__)
            return
        phase.latencies_ms.append((time.perf_counter() - due) * 1e3)
        if status != 200:
            phase.fail(f"HTTP {status}")
        idle.append(conn)

    total = int(rate * seconds)
    phase.started = start = time.perf_counter()
    for i in range(total):
        due = start + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(raws[i % len(raws)], due)))
    await asyncio.gather(*tasks)
    phase.ended = time.perf_counter()
    for conn in idle:
        conn.writer.close()
    return phase


async def closed_loop(phase: Phase, port: int, raws: list[bytes], connections: int, seconds: float) -> Phase:
    stop_at = time.perf_counter() + seconds
    counter = iter(range(10**9))

    async def worker() -> None:
        conn = await connect(port)
        while time.perf_counter() < stop_at:
            raw = raws[next(counter) % len(raws)]
            started = time.perf_counter()
            try:
                status = await conn.call(raw)
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
                phase.fail(type(error).__name__)
                conn = await connect(port)
                continue
            phase.latencies_ms.append((time.perf_counter() - started) * 1e3)
            if status != 200:
                phase.fail(f"HTTP {status}")
        conn.writer.close()

    phase.started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    phase.ended = time.perf_counter()
    return phase


def start_server(
    shops: int, port: int, synchronous: str = "NORMAL", settings: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], Path]:
    """`rih serve` at `shops` on `port` with default settings but `synchronous` and `settings` (RIH_*)."""
    from retrieval.catalog.store import SqliteCatalogStore

    data = BENCH_DIR / f"service_{shops}"
    catalog = SqliteCatalogStore(data / "catalog.sqlite")
    if not catalog.exists():
        catalog.save(cached_catalog(shops), {"seed": 7})
    for stale in ("rih.sqlite", "rih.sqlite-wal", "rih.sqlite-shm"):  # each run starts with an empty log
        (data / stale).unlink(missing_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RIH_")}
    env.update(
        RIH_DATA_DIR=str(data),
        RIH_OPS_KEY=OPS_KEY,
        RIH_AGENT_KEY=OPS_KEY + "-agent",
        RIH_SQLITE_SYNCHRONOUS=synchronous,
        HF_HUB_OFFLINE="1",
        **(settings or {}),
    )
    log = data / "server.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)],
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited; see {log}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, log
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("server did not start in 300 s")


def host_speed_ms(repeats: int = 5) -> float:
    """Best of `repeats` timings of a fixed CPU workload in this process: Python loops and small numpy calls,
    the mix the service runs. Printed before and after the phases: on a shared VM the same code runs up to
    ~1.7x slower at times (measured), which moves every latency figure with it."""
    rng = np.random.default_rng(0)
    values = rng.random(200)
    best = float("inf")
    for attempt in range(repeats + 1):  # the first one warms caches up and is not counted
        started = time.perf_counter()
        total = 0.0
        for i in range(20_000):
            total += (i * 0.5) % 7
        for _ in range(2_000):
            order = np.argsort(values)
            total += float(values[order[:10]].sum())
        if attempt:
            best = min(best, time.perf_counter() - started)
    return best * 1e3


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def probe(port: int, raws: list[bytes], connections: int = 4) -> list[int]:
    """Send every body once (also the warm-up: lazy parts and caches load); the status of each."""
    statuses = [0] * len(raws)
    todo = iter(range(len(raws)))

    async def worker() -> None:
        conn = await connect(port)
        for i in todo:
            statuses[i] = await conn.call(raws[i])
        conn.writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return statuses


async def run(args: argparse.Namespace, port: int) -> list[Phase]:
    every = [http_request("POST", "/v1/recommendations", port, b) for b in request_bodies(2_000)]
    health = [http_request("GET", "/healthz", port)]
    statuses = await probe(port, every)
    # A random mix can ask the impossible (a 4S dealer of a rare make within 20 km): the service rightly
    # answers 422 no_candidates. Such requests are left out of the timed mix, so any non-200 there is an
    # error; how many were left out is printed.
    raws = [raw for raw, status in zip(every, statuses, strict=True) if status == 200]
    others = sorted({s for s in statuses if s != 200})
    print(f"probe: {len(raws)} of {len(every)} request bodies answered 200; the rest ({others}) are left out")
    if set(others) - {422}:
        raise SystemExit(f"the probe met statuses other than 200 and 422 no_candidates: {others}")
    baseline = await open_loop(Phase("baseline GET /healthz (open)"), port, health, args.rate, 5.0)
    targets = []
    for window in range(1, args.repeat + 1):
        name = f"POST /v1/recommendations @{args.rate:.0f}/s" + (f" #{window}" if args.repeat > 1 else "")
        targets.append(await open_loop(Phase(name), port, raws, args.rate, args.seconds))
    ceiling = await closed_loop(
        Phase(f"POST /v1/recommendations closed x{args.connections}"),
        port,
        raws,
        args.connections,
        args.seconds / 2,
    )
    return [baseline, *targets, ceiling]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shops", type=int, default=110_000)
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop request rate (req/s)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of the target phase")
    parser.add_argument(
        "--repeat", type=int, default=1, help="target windows, back to back (each one judged)"
    )
    parser.add_argument("--connections", type=int, default=8, help="connections of the closed-loop phase")
    parser.add_argument(
        "--synchronous",
        choices=["FULL", "NORMAL"],
        default="NORMAL",
        help="SQLite durability (service default)",
    )
    parser.add_argument("--check", action="store_true", help="exit 1 unless >= rate, p99 < 50 ms, 0 errors")
    args = parser.parse_args()
    port = free_port()
    speed_before = host_speed_ms()
    print(f"host speed probe: {speed_before:.1f} ms (a fixed workload; lower is faster)", flush=True)
    print(f"starting rih serve on 127.0.0.1:{port} with {args.shops:,} shops ...", flush=True)
    started = time.perf_counter()
    proc, log = start_server(args.shops, port, args.synchronous)
    print(f"server up in {time.perf_counter() - started:.1f} s (log: {log})", flush=True)
    try:
        phases = asyncio.run(run(args, port))
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
    print(
        f"\n{'phase':<34} {'requests':>7} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8} "
        f"{'errors':>6}"
    )
    for phase in phases:
        print(phase.row())
    for phase in phases:
        if phase.errors:
            print(f"errors in {phase.name.strip()}: {dict(phase.error_kinds)}")
    print(f"host speed probe before / after: {speed_before:.1f} / {host_speed_ms():.1f} ms")
    baseline, *targets, ceiling = phases
    b99 = p(np.asarray(baseline.latencies_ms), 99)
    t99 = [p(np.asarray(target.latencies_ms), 99) for target in targets]
    print(f"\np99 ratio recommendations / healthz baseline: {max(t99) / b99:.1f}x (worst window)")
    print(f"ceiling vs target rate: {ceiling.rate / args.rate:.2f}x")
    met = [
        target.rate >= args.rate * 0.98 and q < 50.0 and target.errors == 0
        for target, q in zip(targets, t99, strict=True)
    ]
    if len(targets) > 1:
        print(f"windows that met the target: {sum(met)} of {len(met)}")
    ok = all(met) and ceiling.errors == 0
    print(f"target (>= {args.rate:.0f} req/s, p99 < 50 ms, zero errors): {'MET' if ok else 'NOT MET'}")
    if args.check and not ok:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

"""Where the service's CPU goes per recommendation: the event-loop process and each helper process, with
search and ranking in the rank process (the default) against the baseline `RIH_RANK_PROCESS=false`
(search and ranking on the event loop), in interleaved rounds on the same machine.

Each round starts a real `rih serve` at 110,000 shops (embedded defaults otherwise) in each mode, warms it
up with the probe of `bench_service_load`, then offers POST /v1/recommendations open loop at --rate for
--seconds while reading the CPU time of the server process and of each child from /proc. The event loop is
one core: its CPU per request bounds the rate the service sustains, which is why ranking moved off it.
Rounds alternate the two modes, so a host that slows down (this shared VM does, up to ~2x) slows both.
Usage: python -m benchmarks.bench_rank_process [--rounds 2] [--rate 300] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks import bench_service_load as load
from benchmarks.common import p

MODES = {"baseline: ranking on the loop": {"RIH_RANK_PROCESS": "false"}, "rank process": {}}
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return sorted(int(x) for x in out.split())


def child_name(pid: int) -> str:
    argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    module = argv[2].decode() if len(argv) > 2 and argv[1] == b"-m" else "?"
    return module.rsplit(".", 1)[-1]


@dataclass
class Round:
    mode: str
    probe_ms: float
    server_ms: float  # event-loop process CPU per answered request
    children_ms: dict[str, float]
    p50: float
    p99: float
    rate: float
    errors: int

    def row(self) -> str:
        kids = ", ".join(f"{name} {ms:.2f}" for name, ms in sorted(self.children_ms.items())) or "-"
        return (
            f"{self.mode:<30} {self.probe_ms:>6.1f} {self.server_ms:>8.2f}   {kids:<40} "
            f"{self.rate:>7.1f} {self.p50:>7.2f} {self.p99:>8.2f} {self.errors:>6}"
        )


async def measure(mode: str, settings: dict[str, str], rate: float, seconds: float) -> Round:
    probe_ms = load.host_speed_ms()
    port = load.free_port()
    proc, _ = load.start_server(110_000, port, settings=settings)
    try:
        raws = [load.http_request("POST", "/v1/recommendations", port, b) for b in load.request_bodies(2_000)]
        statuses = await load.probe(port, raws)
        raws = [raw for raw, status in zip(raws, statuses, strict=True) if status == 200]
        pids = {pid: child_name(pid) for pid in children(proc.pid)}
        before = {pid: cpu_seconds(pid) for pid in [proc.pid, *pids]}
        phase = await load.open_loop(load.Phase(mode), port, raws, rate, seconds)
        after = {pid: cpu_seconds(pid) for pid in before}
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    n = max(len(phase.latencies_ms), 1)
    per_request = {pid: (after[pid] - before[pid]) * 1e3 / n for pid in before}
    lat = np.asarray(phase.latencies_ms or [np.nan])
    return Round(
        mode,
        probe_ms,
        per_request[proc.pid],
        {name: per_request[pid] for pid, name in pids.items()},
        p(lat, 50),
        p(lat, 99),
        phase.rate,
        phase.errors,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=2, help="rounds; each runs both modes")
    parser.add_argument("--rate", type=float, default=300.0, help="open-loop request rate (req/s)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each measured window")
    args = parser.parse_args()
    head = f"{'mode':<30} {'probe':>6} {'loop ms':>8}   {'children ms/request':<40} {'req/s':>7} {'p50':>7}"
    print(f"{head} {'p99':>8} errors")
    rounds: list[Round] = []
    for _ in range(args.rounds):
        for mode, settings in MODES.items():
            rounds.append(asyncio.run(measure(mode, settings, args.rate, args.seconds)))
            print(rounds[-1].row(), flush=True)
    base, new = ([r for r in rounds if r.mode == mode] for mode in MODES)
    loop_ratio = [n.server_ms / b.server_ms for b, n in zip(base, new, strict=True)]
    total = [
        (n.server_ms + sum(n.children_ms.values())) / (b.server_ms + sum(b.children_ms.values()))
        for b, n in zip(base, new, strict=True)
    ]
    ratios = ", ".join(f"{r:.2f}" for r in loop_ratio)
    print(f"\nevent-loop CPU per request, rank process / baseline, per round: {ratios}")
    print(f"all processes' CPU per request, rank process / baseline: {', '.join(f'{r:.2f}' for r in total)}")
    print("(the probe column is the host speed probe before each server, ms; normal is ~15)")


if __name__ == "__main__":
    main()

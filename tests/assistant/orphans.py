"""Helper processes must not outlive their parent: run a parent script, SIGKILL it, watch its child go."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def assert_child_exits_when_parent_is_killed(parent_script: str, within_s: float = 20.0) -> None:
    """`parent_script` starts a child process and prints its pid; the child must exit once the parent is
    killed with SIGKILL (it cannot clean up: the child has to notice on its own)."""
    parent = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(parent_script)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert parent.stdout is not None
    child_pid = int(parent.stdout.readline())
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline and alive(child_pid):
        time.sleep(0.05)
    assert not alive(child_pid)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by init) counts as gone.
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False

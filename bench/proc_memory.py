"""Read a process's memory from /proc: peak (VmHWM) and current (VmRSS) resident set, in MB."""

from __future__ import annotations

from pathlib import Path


def status_mb(pid: int, field: str) -> float:
    """Return the kB field `field` (VmHWM, VmRSS, ...) of /proc/PID/status, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    raise RuntimeError(f"/proc/{pid}/status has no {field} line")


def peak_rss_mb(pid: int) -> float:
    """Return the peak resident set size of process `pid` so far (VmHWM), in MB."""
    return status_mb(pid, "VmHWM")


def rss_mb(pid: int) -> float:
    """Return the resident set size of process `pid` now (VmRSS), in MB."""
    return status_mb(pid, "VmRSS")

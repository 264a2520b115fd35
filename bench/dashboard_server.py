"""Start the dashboard for a benchmark on loopback and read what its process holds.

The server starts through tests/e2e/conftest.py (the one place that starts the app and
Chromium for browsers): trusted-header sign-in, stopped by its pid. Its pid gives its CPU
time and memory (bench/proc_memory.py); Streamlit's /_stcore/metrics the bytes it holds.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import shutil
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
# Streamlit keeps a closed session this many seconds for a reconnect (default 120); its
# session store only drops expired sessions when it is next written to (a later disconnect).
SESSION_TTL_S = 5
# glibc hands blocks of 64 kB or more back to the system when freed (its default threshold
# grows up to 32 MB, keeping freed uploads in the heap): RSS then shows what is still held.
MALLOC_ENV = {"MALLOC_MMAP_THRESHOLD_": "65536"}


def _e2e_conftest() -> ModuleType:
    """tests/e2e/conftest.py, the one place that starts the app and Chromium for browsers."""
    path = REPO / "tests" / "e2e" / "conftest.py"
    spec = importlib.util.spec_from_file_location("hito_e2e_conftest", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


E2E = _e2e_conftest()


@dataclass(frozen=True)
class Server:
    url: str
    pid: int
    data: Path  # its data folder


def copy_data(folder: Path) -> Path:
    """Copy data/ into `folder` without the store (the server seeds its own): return it."""
    target = folder / "data"
    shutil.copytree(REPO / "data", target, ignore=shutil.ignore_patterns("hito.gpkg*"))
    return target


@contextlib.contextmanager
def serve_dashboard(data: Path) -> Iterator[Server]:
    """The app on data folder `data` with conftest's streamlit_server and APP_ENV, closed
    sessions dropped after SESSION_TTL_S; with its pid, to read its memory."""
    env = {**E2E.APP_ENV, "HITO_DATA_DIR": str(data), **MALLOC_ENV}
    ttl = ("--server.disconnectedSessionTTL", str(SESSION_TTL_S))
    with E2E.streamlit_server(REPO / "dashboard" / "app.py", *ttl, env=env) as url:
        yield Server(url, child_pid(f"--server.port\0{urlsplit(url).port}\0".encode()), data)


def child_pid(marker: bytes) -> int:
    """Return the pid of this process's child whose command line holds `marker`."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            if parent == os.getpid() and marker in (stat.parent / "cmdline").read_bytes():
                return int(stat.parent.name)
    raise RuntimeError(f"no child process of {os.getpid()} has {marker!r} in its command line")


def held_bytes(url: str) -> dict[str, int]:
    """Bytes the server holds per Streamlit's /_stcore/metrics (cache_memory_bytes): the
    uploaded files (UploadedFileManager) and the files behind download buttons (media)."""
    with urllib.request.urlopen(f"{url}/_stcore/metrics", timeout=10) as response:
        text = response.read().decode("utf-8")
    held = {"uploads": 0, "media": 0}
    for line in text.splitlines():
        if not line.startswith("cache_memory_bytes{"):
            continue
        kind = "uploads" if "UploadedFileManager" in line else "media" if "media" in line else ""
        if kind:
            held[kind] += int(float(line.rsplit(" ", 1)[1]))
    return held


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far (/proc/PID/stat fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextlib.contextmanager
def server_output_to_stderr() -> Iterator[None]:
    """Point fd 1 at stderr while the server starts (it inherits fd 1): stdout is the JSON."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)

"""Start the dashboard on 127.0.0.1 and drive Debian's Chromium through Playwright."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from geo.cell_classes import CELL_PALETTE

CHROMIUM = Path("/usr/bin/chromium")
REPO = Path(__file__).resolve().parents[2]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-gl=angle",
    "--use-angle=swiftshader",
    "--enable-unsafe-swiftshader",
]


# The app under test trusts this header as an authenticating proxy would set it, so a
# context created with extra_http_headers=ANALYST_HEADERS sees the analyst view; a context
# without it is the public.
TRUSTED_HEADER = "X-Hito-User"
ANALYST_NAME = "e2e-analyst"
ANALYST_HEADERS = {TRUSTED_HEADER: ANALYST_NAME}
APP_ENV = {"HITO_TRUSTED_USER_HEADER": TRUSTED_HEADER, "HITO_ANALYSTS": ANALYST_NAME}
# The map's incident layer has drawn: H3 hexagons (filled from the count palette, above the
# points threshold) or marker clusters (below it).
CELLS = ", ".join(f"path.leaflet-interactive[fill='{colour}']" for colour in CELL_PALETTE)
INCIDENT_LAYER = f"{CELLS}, .marker-cluster"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_healthy(url: str, process: subprocess.Popen[bytes], timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"streamlit exited with code {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"streamlit at {url} not healthy after {timeout_s}s")


@contextlib.contextmanager
def streamlit_server(
    script: Path, *extra_args: str, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run `streamlit run script` from the repo on a free loopback port; stop it by pid.

    `env` adds to (or replaces in) this process's environment for the server.
    """
    port = _free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false", *extra_args,
    ]
    process = subprocess.Popen(
        command, cwd=REPO, start_new_session=True, env={**os.environ, **(env or {})}
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """Run `streamlit run dashboard/app.py` on a free loopback port; stop it by pid. It
    trusts TRUSTED_HEADER: send ANALYST_HEADERS for the analyst view."""
    with streamlit_server(REPO / "dashboard" / "app.py", env=APP_ENV) as url:
        yield url


@pytest.fixture(scope="session")
def script_url(
    tmp_path_factory: pytest.TempPathFactory,
) -> Callable[[Path], contextlib.AbstractContextManager[str]]:
    """Return a context manager that serves a test page like the app, static files included.

    Streamlit serves the `static/` folder beside the main script, so the page is copied into
    a temporary folder next to a link to dashboard/static (the vendored Leaflet and plugins).
    """

    @contextlib.contextmanager
    def serve(script: Path) -> Iterator[str]:
        folder = tmp_path_factory.mktemp(script.stem)
        (folder / "static").symlink_to(REPO / "dashboard" / "static", target_is_directory=True)
        shutil.copy(script, folder / script.name)
        with streamlit_server(folder / script.name, "--server.enableStaticServing", "true") as url:
            yield url

    return serve


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Launch Debian's Chromium headless (never a downloaded browser)."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing: `.ci/run` installs Debian's chromium package")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        launched.close()

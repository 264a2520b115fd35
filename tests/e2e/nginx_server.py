"""Run Debian's nginx on deploy/nginx.conf, with a throwaway certificate and htpasswd."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

NGINX = Path("/usr/sbin/nginx")
REPO = Path(__file__).resolve().parents[2]
SITE = REPO / "deploy" / "nginx.conf"
ANALYST = ("ana", "ana-test-password")
VISITOR = ("beto", "beto-test-password")  # may pass nginx, but is not in HITO_ANALYSTS
# Wraps the site file into a whole nginx.conf whose files all live in tmp_path. The access log
# records the X-Hito-User each client *sent*, to show a forged one reached nginx.
MAIN_CONF = """
{user}
worker_processes 1;
pid {tmp}/nginx.pid;
daemon off;
events {{ worker_connections 256; }}
http {{
    default_type application/octet-stream;
    log_format hito '$request_method $uri $status sent_user=$http_x_hito_user auth=$remote_user';
    access_log {tmp}/access.log hito;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
{site}
}}
"""


@dataclass(frozen=True)
class Proxy:
    """The running pair: nginx's HTTPS and HTTP addresses, its access log, the TLS context."""

    https_port: int
    http_port: int
    access_log: Path
    tls: ssl.SSLContext

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _run(*command: str) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=60)
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()}")
    return done.stdout


def _make_certificate(folder: Path) -> tuple[Path, Path]:
    """A throwaway self-signed certificate for 127.0.0.1 (P-256 key, valid one day)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    _run(
        "openssl", "req", "-x509", "-nodes", "-newkey", "ec",
        "-pkeyopt", "ec_paramgen_curve:prime256v1", "-keyout", str(key), "-out", str(cert),
        "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
    )
    return cert, key


def _make_password_file(folder: Path) -> Path:
    """htpasswd lines `user:hash`, hashed with `openssl passwd -6` (SHA-512 crypt)."""
    lines = [
        f"{user}:{_run('openssl', 'passwd', '-6', password).strip()}"
        for user, password in (ANALYST, VISITOR)
    ]
    path = folder / "htpasswd"
    path.write_text("\n".join(lines) + "\n")
    return path


def _replace_once(text: str, old: str, new: str) -> str:
    count = text.count(old)
    if count != 1:
        raise AssertionError(f"{SITE}: expected {old!r} once, found it {count} times")
    return text.replace(old, new)


def render_site(
    app_port: int, https_port: int, http_port: int, cert: Path, key: Path, passwords: Path
) -> str:
    """deploy/nginx.conf with its placeholder lines (and only those) pointed at the test's."""
    site = SITE.read_text()
    for old, new in (
        ("server 127.0.0.1:8501;", f"server 127.0.0.1:{app_port};"),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl;", f"listen 127.0.0.1:{https_port} ssl;"),
        ("/etc/ssl/hito/fullchain.pem;", f"{cert};"),
        ("/etc/ssl/hito/privkey.pem;", f"{key};"),
        ("/etc/nginx/hito.htpasswd;", f"{passwords};"),
    ):
        site = _replace_once(site, old, new)
    return site


def _wait_listening(port: int, process: subprocess.Popen[bytes], error_log: Path) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nginx exited ({process.returncode}): {error_log.read_text()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
            return
        time.sleep(0.1)
    raise RuntimeError(f"nginx not listening on {port}: {error_log.read_text()}")


@contextlib.contextmanager
def run_nginx(folder: Path, site: str, https_port: int) -> Iterator[None]:
    """Check the configuration with `nginx -t`, run nginx in the foreground, stop it by pid."""
    if not NGINX.exists():
        raise RuntimeError(f"{NGINX} is missing: `.ci/run` installs Debian's nginx package")
    user = "user root;" if os.geteuid() == 0 else ""  # workers read files in the 0700 tmp_path
    conf = folder / "nginx.conf"
    conf.write_text(MAIN_CONF.format(user=user, tmp=folder, site=site))
    error_log = folder / "error.log"
    base = [str(NGINX), "-p", str(folder), "-c", str(conf), "-e", str(error_log)]
    _run(*base, "-t")
    process = subprocess.Popen(base, start_new_session=True)
    try:
        _wait_listening(https_port, process, error_log)
        yield
    finally:
        os.killpg(process.pid, signal.SIGQUIT)  # graceful stop of master and workers
        process.wait(timeout=20)


@contextlib.contextmanager
def proxied(folder: Path, app: contextlib.AbstractContextManager[str]) -> Iterator[Proxy]:
    """Start `app` (a streamlit_server-like context) with the trusted header configured, then
    nginx in front of it; yield the proxy; stop nginx, then the app."""
    cert, key = _make_certificate(folder)
    passwords = _make_password_file(folder)
    https_port, http_port = _free_port(), _free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HITO_TRUSTED_USER_HEADER", "X-Hito-User")
        env.setenv("HITO_ANALYSTS", ANALYST[0])
        with app as app_url:
            app_port = int(app_url.rsplit(":", 1)[1])
            site = render_site(app_port, https_port, http_port, cert, key, passwords)
            with run_nginx(folder, site, https_port):
                tls = ssl.create_default_context(cafile=str(cert))
                yield Proxy(https_port, http_port, folder / "access.log", tls)

"""deploy/nginx.conf for real: Debian's nginx with TLS and Basic auth in front of the app.

The test runs the shipped site file, changing only its placeholder lines (ports, certificate,
password file) to throwaway values in tmp_path; a self-signed certificate comes from
`openssl`. The app (tests/app/auth_page.py, which prints the role and renders the account box)
runs with HITO_TRUSTED_USER_HEADER=X-Hito-User and HITO_ANALYSTS=ana on 127.0.0.1 only.
nginx is Debian's `nginx` package (/usr/sbin/nginx); both processes are stopped by pid.
Starting and stopping nginx (config, certificate, htpasswd) is in nginx_server.py.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import http.client
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import streamlit
from conftest import INCIDENT_LAYER
from nginx_server import ANALYST, REPO, SITE, VISITOR, Proxy, proxied
from playwright.sync_api import Browser, ConsoleMessage, Error, Page, Request

from dashboard.auth import AUTH_LABELS

pytestmark = pytest.mark.e2e
PAGE = REPO / "tests" / "app" / "auth_page.py"
UPLOAD = REPO / "tests" / "fixtures" / "upload" / "table_rows.csv"
SCREENSHOT_DIR = REPO / "out" / "e2e"
TIMEOUT_MS = 60_000
SECURITY_HEADERS = (
    "content-security-policy",
    "strict-transport-security",
    "x-content-type-options",
    "referrer-policy",
)


@dataclass(frozen=True)
class Reply:
    """Status, lower-cased headers and body of one HTTP response."""

    status: int
    headers: dict[str, str]
    body: bytes


@pytest.fixture(scope="module")
def proxy(
    tmp_path_factory: pytest.TempPathFactory,
    script_url: Callable[[Path], contextlib.AbstractContextManager[str]],
) -> Iterator[Proxy]:
    """The auth page on 127.0.0.1 behind nginx (TLS, Basic auth, X-Hito-User)."""
    with proxied(tmp_path_factory.mktemp("nginx"), script_url(PAGE)) as running:
        yield running


def _directives(policy: str) -> dict[str, list[str]]:
    """A Content-Security-Policy header as {directive: [sources]}."""
    parts = [part.split() for part in policy.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


def _request(
    proxy: Proxy,
    method: str,
    path: str,
    credentials: tuple[str, str] | None = None,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Reply:
    sent = dict(headers or {})
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        sent["Authorization"] = f"Basic {token}"
    connection = http.client.HTTPSConnection(
        "127.0.0.1", proxy.https_port, context=proxy.tls, timeout=30
    )
    try:
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        reply_headers = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, reply_headers, response.read())
    finally:
        connection.close()


# --- without credentials nothing of the app is reachable ---------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/media/anything.png"),
        ("PUT", "/_stcore/upload_file/session/file"),
        ("GET", "/_stcore/health"),
        ("GET", "/_stcore/stream"),
        ("GET", "/component/streamlit_folium.st_folium/index.html"),
        ("GET", "/app/static/vendor/VENDOR.md"),
    ],
)
def test_without_credentials_every_path_is_refused(proxy: Proxy, method: str, path: str) -> None:
    reply = _request(proxy, method, path, body=b"x" if method == "PUT" else None)
    assert reply.status == 401
    assert reply.headers["www-authenticate"] == 'Basic realm="Hito"'
    assert all(name in reply.headers for name in SECURITY_HEADERS)  # "always": errors too
    assert b"streamlit" not in reply.body.lower()


def test_a_forged_user_header_without_credentials_is_refused(proxy: Proxy) -> None:
    assert _request(proxy, "GET", "/", headers={"X-Hito-User": "ana"}).status == 401
    assert _request(proxy, "GET", "/", headers={"X-Hito-User": "intruder"}).status == 401


def test_wrong_password_is_refused(proxy: Proxy) -> None:
    assert _request(proxy, "GET", "/", credentials=(ANALYST[0], "wrong")).status == 401


def test_plain_http_redirects_to_https_without_proxying(proxy: Proxy) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", proxy.http_port, timeout=10)
    connection.request("GET", "/_stcore/health?x=1")
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == "https://hito.example.org/_stcore/health?x=1"
    connection.close()


# --- with credentials --------------------------------------------------------------------


def test_with_credentials_the_page_is_served_with_security_headers(proxy: Proxy) -> None:
    reply = _request(proxy, "GET", "/", credentials=ANALYST)
    assert reply.status == 200
    assert b"<title>Streamlit</title>" in reply.body
    csp = _directives(reply.headers["content-security-policy"])
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"][0] == "'self'" and csp["script-src"][1].startswith("'sha256-")
    assert "'unsafe-inline'" not in csp["script-src"] and "'unsafe-eval'" not in csp["script-src"]
    assert csp["frame-ancestors"] == ["'none'"]  # the page itself may not be framed
    assert csp["object-src"] == ["'none'"]
    sources = [source for values in csp.values() for source in values]
    assert {source for source in sources if not source.startswith("'")} == {"data:", "blob:"}
    assert reply.headers["strict-transport-security"].startswith("max-age=63072000")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["referrer-policy"] == "no-referrer"
    assert reply.headers["x-frame-options"] == "DENY"
    assert "server" not in reply.headers or reply.headers["server"] == "nginx"  # no version
    health = _request(proxy, "GET", "/_stcore/health", credentials=VISITOR)
    assert (health.status, health.body) == (200, b"ok")


def test_component_pages_may_be_framed_by_the_app_only(proxy: Proxy) -> None:
    reply = _request(proxy, "GET", "/component/streamlit_folium.st_folium/index.html", ANALYST)
    csp = _directives(reply.headers["content-security-policy"])
    assert csp["frame-ancestors"] == ["'self'"]
    assert csp["script-src"] == ["'self'", "'unsafe-inline'", "'wasm-unsafe-eval'"]
    assert reply.headers["x-frame-options"] == "SAMEORIGIN"


def test_the_csp_hash_matches_streamlits_inline_bootstrap_script() -> None:
    """The script-src hash is of the one inline script in the installed Streamlit's page."""
    index = Path(streamlit.__file__).parent / "static" / "index.html"
    scripts = re.findall(r"<script>(.*?)</script>", index.read_text(), flags=re.S)
    hashes = [base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() for code in scripts]
    assert len(hashes) == 1
    assert f"'sha256-{hashes[0]}'" in SITE.read_text()


def test_uploads_over_20_mb_are_stopped_by_nginx(proxy: Proxy) -> None:
    body = b"0" * (20 * 1024 * 1024 + 1)
    reply = _request(proxy, "PUT", "/_stcore/upload_file/s/f", credentials=ANALYST, body=body)
    assert reply.status == 413
    assert "content-security-policy" in reply.headers


# --- in Chromium -------------------------------------------------------------------------


@dataclass
class PageLog:
    """Console errors, page errors, and every host the page asked for."""

    errors: list[str]
    hosts: set[str]

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def page_error(self, error: Error) -> None:
        self.errors.append(str(error))

    def request(self, request: Request) -> None:
        self.hosts.add(urlsplit(request.url).netloc)


@contextlib.contextmanager
def _page(
    browser: Browser, credentials: tuple[str, str], headers: dict[str, str] | None = None
) -> Iterator[tuple[Page, PageLog]]:
    context = browser.new_context(
        http_credentials={"username": credentials[0], "password": credentials[1]},
        ignore_https_errors=True,  # the throwaway certificate; the HTTP tests verify it
        extra_http_headers=headers or {},
        viewport={"width": 1200, "height": 800},
    )
    page = context.new_page()
    log = PageLog([], set())
    page.on("pageerror", log.page_error)
    page.on("console", log.console)
    page.on("request", log.request)
    try:
        yield page, log
    finally:
        context.close()


def _shown_role(page: Page) -> str:
    shown = page.get_by_text("role=", exact=False).first
    shown.wait_for(timeout=TIMEOUT_MS)
    return shown.inner_text().strip().removeprefix("role=")


def test_analyst_signs_in_through_nginx_and_sees_the_analyst_role(
    proxy: Proxy, browser: Browser
) -> None:
    with _page(browser, ANALYST) as (page, log):
        page.goto(proxy.url + "/?lang=en")
        assert _shown_role(page) == "analyst"
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text(AUTH_LABELS["role_analyst"]["en"]).wait_for(timeout=TIMEOUT_MS)
        assert page.locator("[data-testid='stException']").count() == 0
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOT_DIR / "nginx_analyst.png"), full_page=True)
        assert log.errors == []
        assert log.hosts == {f"127.0.0.1:{proxy.https_port}"}


def test_a_signed_in_non_analyst_with_a_forged_header_stays_public(
    proxy: Proxy, browser: Browser
) -> None:
    with _page(browser, VISITOR, headers={"X-Hito-User": ANALYST[0]}) as (page, log):
        page.goto(proxy.url + "/")
        assert _shown_role(page) == "public"
        sidebar = page.locator("[data-testid='stSidebar']")
        sidebar.get_by_text(AUTH_LABELS["role_public"]["es"]).wait_for(timeout=TIMEOUT_MS)
        assert log.errors == []
    # The forged header did reach nginx on the WebSocket request; nginx replaced it.
    stream_lines = _logged_stream_requests(proxy, VISITOR[0])
    assert stream_lines
    assert all(f"sent_user={ANALYST[0]}" in line for line in stream_lines)


def _logged_stream_requests(proxy: Proxy, user: str) -> list[str]:
    """Access-log lines of `user`'s WebSocket requests; nginx writes one when it closes."""
    deadline = time.monotonic() + 20
    while True:
        lines = [
            line for line in proxy.access_log.read_text().splitlines()
            if line.startswith("GET /_stcore/stream 101 ") and line.endswith(f" auth={user}")
        ]
        if lines or time.monotonic() > deadline:
            return lines
        time.sleep(0.2)


def test_the_dashboard_works_under_the_csp(
    tmp_path_factory: pytest.TempPathFactory,
    script_url: Callable[[Path], contextlib.AbstractContextManager[str]],
    browser: Browser,
) -> None:
    """The real app behind nginx: map component, deck.gl, Vega, table and an upload through
    /_stcore/upload_file (XSRF behind the proxy) all work, and no CSP rule is broken."""
    app = script_url(REPO / "dashboard" / "app.py")
    folder = tmp_path_factory.mktemp("nginx_app")
    with proxied(folder, app) as running, _page(browser, ANALYST) as (page, log):
        page.goto(running.url + "/")
        page.get_by_text("DATOS SINTÉTICOS").first.wait_for(timeout=TIMEOUT_MS)
        frame = page.frame_locator("iframe[title*='st_folium']").first
        frame.locator(INCIDENT_LAYER).first.wait_for(timeout=TIMEOUT_MS)
        for tab, shown in (
            ("Hexágonos", "[data-testid='stDeckGlJsonChart'] canvas"),
            ("Línea de tiempo", "[data-testid='stVegaLiteChart'] canvas"),
            ("Tabla", "[data-testid='stDataFrame'] canvas"),
            ("Exportar", "[data-testid='stDownloadButton']"),
            ("Cargar datos", "[data-testid='stFileUploaderDropzone']"),
        ):
            page.get_by_role("tab", name=tab).click()
            page.locator(shown).first.wait_for(state="visible", timeout=TIMEOUT_MS)
            if tab == "Exportar":  # a download comes from /media/ through nginx
                with page.expect_download(timeout=TIMEOUT_MS) as started:
                    page.get_by_role("button", name="PNG", exact=True).click()
                assert Path(started.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(UPLOAD)
        page.get_by_text("Aceptadas").first.wait_for(timeout=TIMEOUT_MS)  # the upload report
        page.screenshot(path=str(SCREENSHOT_DIR / "nginx_dashboard.png"), full_page=True)
        assert page.locator("[data-testid='stException']").count() == 0
        assert log.errors == []
        assert log.hosts == {f"127.0.0.1:{running.https_port}"}
    uploads = [
        line for line in (folder / "access.log").read_text().splitlines()
        if line.startswith("PUT /_stcore/upload_file/")
    ]
    assert uploads and all(" 204 " in line or " 200 " in line for line in uploads), uploads


INJECT = """() => new Promise(resolve => {
    document.addEventListener("securitypolicyviolation", e => resolve(e.violatedDirective));
    setTimeout(() => resolve("no violation reported"), 15000);
    document.body.insertAdjacentHTML(
        "beforeend", '<img id="hito-probe" src="data:," onerror="window.hitoPwned = 1">');
})"""


def test_the_csp_blocks_an_injected_inline_handler_on_the_page(
    proxy: Proxy, browser: Browser
) -> None:
    """Were some text ever to reach the page as HTML, its inline handler would not run."""
    with _page(browser, ANALYST) as (page, log):
        page.goto(proxy.url + "/")
        assert _shown_role(page) == "analyst"
        assert page.evaluate(INJECT).startswith("script-src")
        assert page.evaluate("() => window.hitoPwned") is None
        assert any("inline event handler" in error for error in log.errors), log.errors

"""Give each PostGIS test a fresh empty database: from $HITO_TEST_POSTGIS_URL or a session cluster.

On first use, the base URL is $HITO_TEST_POSTGIS_URL when set (a database where the postgis
extension can be created), else a throwaway cluster started with scripts/postgis_cluster.py
(`--fast`) in a new temporary folder, stopped by its postmaster's pid when the session ends
(stop_session_cluster, also registered with atexit). A template database with the postgis
extension is made once; each fresh_postgis_url() is `CREATE DATABASE … TEMPLATE` it (tens of
milliseconds). Nothing is skipped: if PostgreSQL or PostGIS is missing this raises with the
packages to install.
"""

from __future__ import annotations

import atexit
import itertools
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

URL_ENV = "HITO_TEST_POSTGIS_URL"
SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgis_cluster.py"
INSTALL_HINT = (
    "the PostGIS store tests need PostgreSQL and PostGIS: apt-get install postgresql-15 "
    "postgresql-15-postgis-3 (.ci/run does this), or set HITO_TEST_POSTGIS_URL to a "
    "postgresql:// URL of a server where the postgis extension can be created"
)


@dataclass
class _Session:
    """The base server of this test session and the databases made on it."""

    base_url: str
    template: str
    cluster_dir: Path | None  # set when this session started the cluster
    counter: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    databases: list[str] = field(default_factory=list)


_session: _Session | None = None


def fresh_postgis_url() -> str:
    """Return the URL of a new, empty database with the postgis extension (no Hito tables)."""
    session = _ensure_session()
    # pid, counter and a random part: runs (and module copies) sharing one server never clash
    name = f"hito_t_{os.getpid()}_{next(session.counter)}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(session.base_url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name} TEMPLATE {session.template}")
    session.databases.append(name)
    return database_url(session.base_url, name)


def stop_session_cluster() -> None:
    """Stop the cluster this session started (and remove its folder), or drop the databases
    made on the server $HITO_TEST_POSTGIS_URL names. Safe to call more than once."""
    global _session
    session, _session = _session, None
    if session is None:
        return
    if session.cluster_dir is not None:
        _run_script("stop", session.cluster_dir)
        shutil.rmtree(session.cluster_dir, ignore_errors=True)
        return
    with psycopg.connect(session.base_url, autocommit=True) as admin:
        for name in [*session.databases, session.template]:
            admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def database_url(url: str, database: str) -> str:
    """Return `url` naming another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _ensure_session() -> _Session:
    global _session
    if _session is not None:
        return _session
    given = os.environ.get(URL_ENV)
    cluster_dir = None if given else Path(tempfile.mkdtemp(prefix="hito-pg-"))
    if cluster_dir is not None:
        atexit.register(stop_session_cluster)
    base_url = given or _run_script("start", cluster_dir, "--fast")
    template = f"hito_tpl_{os.getpid()}"
    _session = _Session(base_url, template, cluster_dir)
    _make_template(base_url, template)
    return _session


def _make_template(base_url: str, template: str) -> None:
    try:
        with psycopg.connect(base_url, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {template}")
            admin.execute(f"CREATE DATABASE {template}")
        with psycopg.connect(database_url(base_url, template), autocommit=True) as connection:
            connection.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except psycopg.Error as error:
        raise RuntimeError(
            f"cannot prepare the PostGIS test template: {error}; {INSTALL_HINT}"
        ) from error


def _run_script(command: str, folder: Path | None, *options: str) -> str:
    done = subprocess.run(
        [sys.executable, str(SCRIPT), command, "--dir", str(folder), *options],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"scripts/postgis_cluster.py {command} failed: {done.stderr.strip()}\n{INSTALL_HINT}"
        )
    return done.stdout.strip()

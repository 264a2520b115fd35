"""Start, stop or locate a throwaway PostgreSQL + PostGIS cluster on 127.0.0.1 (tests, bench).

Usage (standard library only; any python3):
    python3 scripts/postgis_cluster.py start [--dir D] [--port P] [--fast]
    python3 scripts/postgis_cluster.py stop [--dir D]
    python3 scripts/postgis_cluster.py url [--dir D]

`start` creates a cluster in D (default /tmp/hito-pg) with initdb the first time, listening
on 127.0.0.1 only (trust authentication for 127.0.0.1 and for the unix socket, which lives
inside D), on port P or a free one, starts it with pg_ctl and waits until it accepts
connections, creates the database `hito_test` with the postgis extension, writes the URL
to D/url and prints it: postgresql://postgres@127.0.0.1:PORT/hito_test. Running `start`
again while the cluster runs only prints the URL. `--fast` turns off fsync,
synchronous_commit and full_page_writes for this run of the server (tests: a crash of the
machine may lose the cluster, which is thrown away anyway; benchmarks leave them on).
`stop` sends the postmaster (pid from D/data/postmaster.pid) a fast-shutdown signal and
waits until it has exited. `url` prints the URL of a running cluster.

As root (CI, this project's machines) initdb and the server run as the `postgres` user
(`runuser -u postgres`), and D is handed to that user. Needs Debian's packages
postgresql-15 (or another postgresql-NN) and postgresql-15-postgis-3 (the same NN).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_DIR = Path("/tmp/hito-pg")
DATABASE = "hito_test"
SUPERUSER = "postgres"
PG_ROOT = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "install Debian's packages: apt-get install postgresql-15 postgresql-15-postgis-3 "
    "(.ci/run does this)"
)
SERVER_SETTINGS = (
    "listen_addresses = '127.0.0.1'",
    "max_wal_size = '2GB'",  # bulk ingests of 1e6 rows without a checkpoint every few seconds
    "log_min_messages = warning",
)
FAST_SETTINGS = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")
STOP_WAIT_SECONDS = 60.0
START_WAIT_SECONDS = 60


class ClusterError(Exception):
    """The cluster cannot be created, started, reached or stopped; the message says why."""


def main(argv: list[str] | None = None) -> int:
    """Run one command (start / stop / url); print the URL or the error; return the exit code."""
    args = _parser().parse_args(argv)
    folder = Path(args.dir).resolve()
    try:
        if args.command == "start":
            print(start(folder, args.port, fast=args.fast))
        elif args.command == "stop":
            stop(folder)
        else:
            print(url(folder))
    except ClusterError as error:
        print(f"postgis_cluster {args.command}: {error}", file=sys.stderr)
        return 1
    return 0


def start(folder: Path, port: int | None = None, *, fast: bool = False) -> str:
    """Create (first time) and start the cluster in `folder`; return its URL."""
    if _running_pid(folder) is not None:
        return url(folder)
    bin_dir = _bin_dir()
    _check_postgis(bin_dir)
    data = folder / "data"
    if not (data / "PG_VERSION").exists():
        _initdb(bin_dir, folder)
    chosen = port or _saved_port(folder) or _free_port()
    _start_server(bin_dir, folder, chosen, fast=fast)
    _create_database(bin_dir, chosen)
    address = f"postgresql://{SUPERUSER}@127.0.0.1:{chosen}/{DATABASE}"
    (folder / "url").write_text(address + "\n", encoding="utf-8")
    (folder / "port").write_text(f"{chosen}\n", encoding="utf-8")
    return address


def stop(folder: Path) -> None:
    """Stop the cluster in `folder` by its postmaster's pid and wait until it has exited."""
    pid = _running_pid(folder)
    if pid is None:
        return
    os.kill(pid, signal.SIGINT)  # the postmaster's "fast" shutdown
    deadline = time.monotonic() + STOP_WAIT_SECONDS
    while _alive(pid):
        if time.monotonic() > deadline:
            raise ClusterError(
                f"{folder}: postmaster {pid} still runs {STOP_WAIT_SECONDS:.0f} s "
                "after the shutdown signal"
            )
        time.sleep(0.05)


def url(folder: Path) -> str:
    """Return the URL of the running cluster in `folder`."""
    saved = folder / "url"
    if _running_pid(folder) is None or not saved.exists():
        raise ClusterError(f"{folder}: no cluster runs there (run `start` first)")
    return saved.read_text(encoding="utf-8").strip()


# --- steps ----------------------------------------------------------------------------------


def _bin_dir() -> Path:
    """Return the newest installed PostgreSQL's bin folder."""
    candidates = sorted(
        (path for path in PG_ROOT.glob("*/bin") if (path / "initdb").exists()),
        key=lambda path: int(path.parent.name) if path.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise ClusterError(f"no PostgreSQL server binaries under {PG_ROOT}; {INSTALL_HINT}")
    return candidates[-1]


def _check_postgis(bin_dir: Path) -> None:
    share = _run([str(bin_dir / "pg_config"), "--sharedir"]).strip()
    control = Path(share) / "extension" / "postgis.control"
    if not control.exists():
        version = bin_dir.parent.name
        raise ClusterError(
            f"the PostGIS extension is not installed for PostgreSQL {version} ({control} is "
            f"missing); apt-get install postgresql-{version}-postgis-3"
        )


def _initdb(bin_dir: Path, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    _hand_to_server_user(folder)
    data = folder / "data"
    _run(
        [*_as_server_user(), str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
         "-E", "UTF8", "--locale=C.UTF-8", "--auth=trust", "--no-sync"],
    )  # fmt: skip
    settings = [*SERVER_SETTINGS, f"unix_socket_directories = '{folder}'"]
    with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
        conf.write("\n# scripts/postgis_cluster.py\n" + "\n".join(settings) + "\n")
    hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
    (data / "pg_hba.conf").write_text(hba, encoding="utf-8")


def _start_server(bin_dir: Path, folder: Path, port: int, *, fast: bool) -> None:
    options = [f"-p {port}", *(f"-c {setting}" for setting in (FAST_SETTINGS if fast else ()))]
    log = folder / "server.log"
    try:
        _run(
            [*_as_server_user(), str(bin_dir / "pg_ctl"), "start", "-D", str(folder / "data"),
             "-l", str(log), "-w", "-t", str(START_WAIT_SECONDS), "-o", " ".join(options)],
        )  # fmt: skip
    except ClusterError as error:
        tail = log.read_text(encoding="utf-8", errors="replace")[-2000:] if log.exists() else ""
        raise ClusterError(f"{error}\nserver log ({log}):\n{tail}") from error


def _create_database(bin_dir: Path, port: int) -> None:
    psql = [str(bin_dir / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", SUPERUSER,
            "-v", "ON_ERROR_STOP=1", "-Atq"]  # fmt: skip
    found = _run([*psql, "-d", "postgres", "-c",
                  f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE}'"]).strip()  # fmt: skip
    if not found:
        _run([*psql, "-d", "postgres", "-c", f"CREATE DATABASE {DATABASE}"])
    try:
        _run([*psql, "-d", DATABASE, "-c", "CREATE EXTENSION IF NOT EXISTS postgis"])
    except ClusterError as error:
        raise ClusterError(f"CREATE EXTENSION postgis failed: {error}; {INSTALL_HINT}") from error


# --- helpers --------------------------------------------------------------------------------


def _as_server_user() -> list[str]:
    """Prefix for commands that refuse root: run them as `postgres` when we are root."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser") is None:
        raise ClusterError("running as root needs `runuser` (util-linux) to start PostgreSQL")
    return ["runuser", "-u", SUPERUSER, "--"]


def _hand_to_server_user(folder: Path) -> None:
    if os.geteuid() != 0:
        return
    shutil.chown(folder, user=SUPERUSER, group=SUPERUSER)
    folder.chmod(0o700)
    reachable = subprocess.run([*_as_server_user(), "test", "-w", str(folder)], check=False)
    if reachable.returncode != 0:
        raise ClusterError(
            f"the {SUPERUSER} user cannot reach {folder}: a parent folder is closed to other "
            "users; choose a --dir under /tmp (e.g. /tmp/hito-pg)"
        )


def _saved_port(folder: Path) -> int | None:
    saved = folder / "port"
    return int(saved.read_text(encoding="utf-8")) if saved.exists() else None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _running_pid(folder: Path) -> int | None:
    """Return the postmaster's pid when the cluster in `folder` runs, else None."""
    pid_file = folder / "data" / "postmaster.pid"
    try:
        first_line = pid_file.read_text(encoding="utf-8").splitlines()[0]
    except (FileNotFoundError, IndexError):
        return None
    pid = int(first_line)
    return pid if _alive(pid) else None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def _run(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False)
    except FileNotFoundError as error:
        raise ClusterError(f"{command[0]}: not found; {INSTALL_HINT}") from error
    if done.returncode != 0:
        output = (done.stderr or done.stdout).strip()
        raise ClusterError(f"`{' '.join(command)}` exited {done.returncode}: {output}")
    return done.stdout


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=("start", "stop", "url"))
    parser.add_argument("--dir", default=str(DEFAULT_DIR), help=f"default {DEFAULT_DIR}")
    parser.add_argument("--port", type=int, default=None, help="default: a free port")
    parser.add_argument("--fast", action="store_true", help="fsync etc. off (tests)")
    return parser


if __name__ == "__main__":
    sys.exit(main())

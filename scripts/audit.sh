#!/usr/bin/env bash
# Audit Hito's installed Python dependencies for known vulnerabilities with pip-audit.
#
# Audits exactly the packages the project depends on (runtime and [test] extras, followed
# through their own requirements) at the versions installed in the venv, not pip-audit's own
# tooling. Exit status:
#   0  every package was audited and none has a known vulnerability
#   1  a known vulnerability (each is listed with its id and the versions that fix it)
#   2  setup error (no venv, a required package not installed)
#   3  some or all packages could not be audited (the advisory service was unreachable or
#      did not know them): never reported as a pass, since nothing was checked for them
# When pip-audit's service is unreachable, scripts/audit_latest.py audits every package
# installed at its newest release against PyPI's project API, and names the rest.
# Needs the network: PyPI's JSON API (https://pypi.org/pypi/NAME/VERSION/json), or OSV with
# AUDIT_SERVICE=osv. Installs pip-audit into the venv when it is missing.
# Usage: scripts/audit.sh   (VENV=path to use another venv)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
if [ ! -x "$PY" ]; then
  echo "audit.sh: $PY is missing: run 'make test' (or make the venv) first" >&2
  exit 2
fi
if ! "$PY" -m pip_audit --version >/dev/null 2>&1; then
  "$PY" -m pip install --quiet "pip-audit>=2.7"
fi

PINNED="$(mktemp /tmp/hito-audit.XXXXXX.txt)"
trap 'rm -f "$PINNED"' EXIT
# The dependency closure of the installed 'hito' distribution, pinned to installed versions.
"$PY" - "$PINNED" <<'PYTHON'
"""Write name==version for every installed package hito (with [test]) needs, transitively."""
import sys
from importlib import metadata

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT, EXTRAS = "hito", ("test",)


def requirements(name: str, extras: tuple[str, ...]) -> list[tuple[str, tuple[str, ...]]]:
    found = []
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": extra}) for extra in ("", *extras)):
            found.append((requirement.name, tuple(sorted(requirement.extras))))
    return found


seen: dict[str, str] = {}
todo = [(ROOT, EXTRAS)]
while todo:
    name, extras = todo.pop()
    key = canonicalize_name(name)
    try:
        version = metadata.version(name)
    except metadata.PackageNotFoundError:
        print(f"audit.sh: {name} is required but not installed: run 'make test' first")
        sys.exit(2)
    if key in seen and not extras:
        continue
    seen[key] = version
    todo.extend(requirements(name, extras))
del seen[canonicalize_name(ROOT)]  # the project itself is not on PyPI
with open(sys.argv[1], "w", encoding="utf-8") as out:
    out.writelines(f"{name}=={version}\n" for name, version in sorted(seen.items()))
print(f"audit.sh: auditing {len(seen)} installed packages hito[test] depends on")
PYTHON

REPORT="$(mktemp /tmp/hito-audit.XXXXXX.json)"
trap 'rm -f "$PINNED" "$REPORT"' EXIT
set +e
"$PY" -m pip_audit --requirement "$PINNED" --no-deps --disable-pip --progress-spinner off \
  --vulnerability-service "${AUDIT_SERVICE:-pypi}" --format json --output "$REPORT"
AUDIT_STATUS=$?
set -e
set +e
"$PY" - "$REPORT" "$AUDIT_STATUS" <<'PYTHON'
"""Print pip-audit's findings; exit 1 on a vulnerability, 3 when packages went unaudited."""
import json
import sys

path, status = sys.argv[1], int(sys.argv[2])
try:
    with open(path, encoding="utf-8") as handle:
        report = json.load(handle)
except (OSError, ValueError):
    print(f"audit.sh: pip-audit wrote no report (its exit status: {status}): nothing audited")
    sys.exit(3)
dependencies = report["dependencies"]
vulnerable = [d for d in dependencies if d.get("vulns")]
unaudited = [d for d in dependencies if d.get("skip_reason")]
for dependency in vulnerable:
    for vuln in dependency["vulns"]:
        fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
        print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} "
              f"(fixed in {fixes})")
if len(unaudited) < len(dependencies):  # all skipped: one line below says so, not one each
    for dependency in unaudited:
        print(f"NOT AUDITED {dependency['name']}: {dependency['skip_reason']}")
audited = len(dependencies) - len(unaudited)
print(f"audit.sh: {audited} of {len(dependencies)} packages audited, "
      f"{len(vulnerable)} with a known vulnerability, {len(unaudited)} not audited")
if vulnerable:
    sys.exit(1)
if unaudited:
    sys.exit(3)
print("audit.sh: no known vulnerabilities")
PYTHON
REPORT_STATUS=$?
set -e
if [ "$REPORT_STATUS" -ne 3 ]; then
  exit "$REPORT_STATUS"
fi
# pip-audit could not reach its advisory service: audit what PyPI's project API can tell.
echo "audit.sh: pip-audit's service was unreachable; falling back to PyPI's project API"
exec "$PY" scripts/audit_latest.py "$PINNED"

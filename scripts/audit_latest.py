"""Check pinned packages against PyPI's advisories for their newest release, where pip-audit can't.

pip-audit asks PyPI for each installed version (https://pypi.org/pypi/NAME/VERSION/json) or
OSV; where neither answers (this project's CI reaches only the package registries, and the
per-version API answers 404 there), PyPI's project API (https://pypi.org/pypi/NAME/json)
still does, and it lists the known vulnerabilities of the project's newest release. So a
package installed at its newest release is audited exactly; a package held back (by our own
cap, or because its newest release needs a newer Python) is reported as not audited, with
why. Usage: audit_latest.py PINNED_FILE (lines of name==version). Exit 0: every package
audited, none vulnerable; 1: a known vulnerability; 3: some packages could not be audited.
"""

from __future__ import annotations

import json
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from packaging.specifiers import SpecifierSet
from packaging.version import Version

PROJECT_API = "https://pypi.org/pypi/{name}/json"
TIMEOUT_S = 30


@dataclass(frozen=True)
class Finding:
    """What the project API says about one pinned package."""

    name: str
    installed: str
    newest: str
    vulnerabilities: tuple[str, ...]
    not_audited_because: str | None


def pinned_packages(path: Path) -> list[tuple[str, str]]:
    """Return (name, version) for each name==version line of the file."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        name, separator, version = line.strip().partition("==")
        if not separator or not name or not version:
            raise SystemExit(f"{path}:{number}: expected name==version, got {line!r}")
        pairs.append((name, version))
    return pairs


def project_record(name: str) -> dict[str, object]:
    """Return PyPI's project JSON for one package."""
    with urllib.request.urlopen(PROJECT_API.format(name=name), timeout=TIMEOUT_S) as answer:
        record: dict[str, object] = json.load(answer)
    return record


def held_back_reason(installed: str, newest: str, requires_python: str | None) -> str:
    """Say why the installed version is not the newest release."""
    running = ".".join(map(str, sys.version_info[:3]))
    if requires_python and Version(running) not in SpecifierSet(requires_python):
        return (f"installed {installed} is the newest for Python {running}; PyPI's advisories "
                f"cover only {newest} (Requires-Python {requires_python})")
    return f"installed {installed}, newest {newest}: PyPI's advisories cover only {newest}"


def finding_for(name: str, installed: str) -> Finding:
    """Audit one package from its project record."""
    record = project_record(name)
    info = record["info"]
    assert isinstance(info, dict)
    newest = str(info["version"])
    vulns = record.get("vulnerabilities") or []
    assert isinstance(vulns, list)
    if Version(newest) != Version(installed):
        reason = held_back_reason(installed, newest, info.get("requires_python"))
        return Finding(name, installed, newest, (), reason)
    ids = tuple(f"{v['id']} (fixed in {', '.join(v.get('fixed_in') or []) or 'nothing yet'})"
                for v in vulns)
    return Finding(name, installed, newest, ids, None)


def report(findings: list[Finding]) -> int:
    """Print the findings and return the exit status."""
    vulnerable = [f for f in findings if f.vulnerabilities]
    unaudited = [f for f in findings if f.not_audited_because]
    for finding in vulnerable:
        for vuln in finding.vulnerabilities:
            print(f"VULNERABLE {finding.name} {finding.installed}: {vuln}")
    for finding in unaudited:
        print(f"NOT AUDITED {finding.name}: {finding.not_audited_because}")
    audited = len(findings) - len(unaudited)
    print(f"audit_latest: {audited} of {len(findings)} packages audited at their newest release "
          f"(PyPI project API), {len(vulnerable)} with a known vulnerability, "
          f"{len(unaudited)} not audited")
    if vulnerable:
        return 1
    return 3 if unaudited else 0


def main(argv: list[str]) -> int:
    """Audit the pinned file named on the command line."""
    if len(argv) != 1:
        raise SystemExit("usage: audit_latest.py PINNED_FILE")
    findings = [finding_for(name, version) for name, version in pinned_packages(Path(argv[0]))]
    return report(findings)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

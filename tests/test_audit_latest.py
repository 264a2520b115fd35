"""scripts/audit_latest.py: newest-release packages audited, held-back ones named, exit codes."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "audit_latest.py"


def _load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_latest", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_latest"] = module  # dataclasses look their module up while defined
    spec.loader.exec_module(module)
    return module


audit = _load_script()
# Shapes of PyPI's project API answers (https://pypi.org/pypi/NAME/json), trimmed; the
# pycrypto advisories are the ones PyPI listed for pycrypto 2.6.1 on 2026-11-28.
RECORDS = {
    "pycrypto": {"info": {"version": "2.6.1", "requires_python": None},
                 "vulnerabilities": [{"id": "PYSEC-2017-94", "fixed_in": []},
                                     {"id": "GHSA-6528-wvf6-f6qg", "fixed_in": ["3.0"]}]},
    "requests": {"info": {"version": "2.34.2", "requires_python": ">=3.9"},
                 "vulnerabilities": []},
    "numpy": {"info": {"version": "2.5.5", "requires_python": ">=3.99"}, "vulnerabilities": []},
    "pandas": {"info": {"version": "3.1.1", "requires_python": ">=3.11"}, "vulnerabilities": []},
}  # fmt: skip


@pytest.fixture(autouse=True)
def _recorded_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(audit, "project_record", lambda name: RECORDS[name])


def test_a_package_at_its_newest_release_is_audited_with_its_advisories() -> None:
    finding = audit.finding_for("pycrypto", "2.6.1")
    assert finding.not_audited_because is None
    assert finding.vulnerabilities == ("PYSEC-2017-94 (fixed in nothing yet)",
                                       "GHSA-6528-wvf6-f6qg (fixed in 3.0)")  # fmt: skip


def test_held_back_packages_are_not_audited_and_say_why() -> None:
    numpy = audit.finding_for("numpy", "2.4.6")
    pandas = audit.finding_for("pandas", "2.3.3")
    assert numpy.vulnerabilities == () and pandas.vulnerabilities == ()
    assert "newest for Python" in numpy.not_audited_because
    assert "Requires-Python >=3.99" in numpy.not_audited_because
    assert pandas.not_audited_because == (
        "installed 2.3.3, newest 3.1.1: PyPI's advisories cover only 3.1.1"
    )


@pytest.mark.parametrize(
    ("pinned", "status", "summary"),
    [("requests==2.34.2\n", 0, "1 of 1 packages audited"),
     ("requests==2.34.2\npandas==2.3.3\n", 3, "1 of 2 packages audited"),
     ("pycrypto==2.6.1\npandas==2.3.3\n", 1, "1 of 2 packages audited")],
)  # fmt: skip
def test_exit_status_is_0_clean_1_vulnerable_3_unaudited(
    tmp_path: Path, pinned: str, status: int, summary: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pinned.txt"
    path.write_text(pinned, encoding="utf-8")
    assert audit.main([str(path)]) == status
    assert summary in capsys.readouterr().out


def test_a_malformed_pinned_line_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "pinned.txt"
    path.write_text("requests==2.34.2\nrequests>=2\n", encoding="utf-8")
    expected = r"pinned.txt:2: expected name==version, got 'requests>=2'"
    with pytest.raises(SystemExit, match=expected):
        audit.pinned_packages(path)

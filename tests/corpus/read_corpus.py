"""Read corpus files as the CLI and the upload do; print one JSON line per file (for the tests).

Usage: python tests/corpus/read_corpus.py FILE... ; tests/test_corpus.py runs it in a
subprocess with a timeout, so a file that hangs or crashes the reader cannot stall the suite.
Before each file a line {"start": name} is printed, so a hang names its file. Any exception
other than IngestError is recorded as a "crash" with its traceback (the tests fail on it).
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from pathlib import Path
from typing import Any

from dashboard.upload_view import UploadOutcome, ingest_upload
from geo.ingest import IngestError, IngestResult, read_incidents
from geo.layers import Layers, load_layers


def read_outcome(path: Path, layers: Layers) -> dict[str, Any]:
    """Return what geo.ingest.read_incidents made of the file: an error or its report."""
    try:
        result = read_incidents(path, layers=layers)
    except IngestError as error:
        return {"kind": "error", "message": str(error)}
    except Exception as error:  # noqa: BLE001 - recorded for the test to fail on, with its trace
        return _crash(error)
    return {"kind": "report", "report": result.report.to_dict(), "rows": _rows(result)}


def upload_outcome(path: Path, layers: Layers) -> dict[str, Any]:
    """Return what the dashboard's upload path made of the file's bytes."""
    try:
        outcome = ingest_upload(path.read_bytes(), path.name, layers)
    except Exception as error:  # noqa: BLE001 - recorded for the test to fail on, with its trace
        return _crash(error)
    return _upload_dict(outcome)


def _upload_dict(outcome: UploadOutcome) -> dict[str, Any]:
    if outcome.error is not None:
        return {"kind": "error", "message": outcome.error}
    if outcome.report is None or outcome.incidents is None:
        return {"kind": "broken", "message": "no error, yet no report or no incidents"}
    return {"kind": "report", "report": outcome.report.to_dict(), "rows": len(outcome.incidents)}


def _rows(result: IngestResult) -> int:
    return len(result.incidents)


def _crash(error: BaseException) -> dict[str, Any]:
    return {
        "kind": "crash",
        "type": type(error).__name__,
        "message": str(error)[:500],
        "traceback": traceback.format_exc()[-4000:],
    }


def main(paths: list[str]) -> None:
    """Print {"start": name}, then the file's outcomes, for each file in turn."""
    layers = load_layers()
    for name in paths:
        path = Path(name)
        print(json.dumps({"start": path.name}), flush=True)
        started = time.perf_counter()
        read = read_outcome(path, layers)
        read_seconds = time.perf_counter() - started
        upload = upload_outcome(path, layers)
        line = {
            "file": path.name, "read": read, "upload": upload,
            "read_seconds": round(read_seconds, 3),
            "upload_seconds": round(time.perf_counter() - started - read_seconds, 3),
        }  # fmt: skip
        print(json.dumps(line), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])

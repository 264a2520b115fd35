"""Load the payload fixtures' kit (tests/fixtures/payloads/payload_kit.py) once for all tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Final

PAYLOAD_DIR: Final = Path(__file__).resolve().parent / "fixtures" / "payloads"


def _load_kit() -> ModuleType:
    spec = importlib.util.spec_from_file_location("payload_kit", PAYLOAD_DIR / "payload_kit.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


kit: Final = _load_kit()
PAYLOADS: Final[tuple[str, ...]] = kit.PAYLOADS
FILE_NAME: Final = " ".join(PAYLOADS) + ".csv"  # the uploaded file's name: every payload at once

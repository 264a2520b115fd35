"""Shared pytest fixtures: the bundled reference layers, loaded once per session."""

from __future__ import annotations

import pytest

from geo.layers import Layers, load_layers


@pytest.fixture(scope="session")
def layers() -> Layers:
    """Return the bundled reference layers from data/."""
    return load_layers()

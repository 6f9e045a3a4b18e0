"""Fixtures for bimflow.ifc tests: small generated buildings, made once per session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

# The test modules import their oracles from ifc_oracles.py next to this file; make
# that work whatever pytest's import mode or the other test folders' layout.
sys.path.insert(0, str(Path(__file__).resolve().parent))


@pytest.fixture(scope="session")
def generated_ifc4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bimflow.ifc.generator import generate_building

    path = tmp_path_factory.mktemp("generated") / "building-ifc4.ifc"
    generate_building(path, products=400, seed=3, schema="IFC4")
    return path


@pytest.fixture(scope="session")
def generated_ifc2x3(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from bimflow.ifc.generator import generate_building

    path = tmp_path_factory.mktemp("generated") / "building-ifc2x3.ifc"
    generate_building(path, products=400, seed=3, schema="IFC2X3")
    return path

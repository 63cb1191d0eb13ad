"""``geo`` is the bottom room: it imports no other strikemap room and knows no layer or map."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parent.parent / "geo"
MODULES = sorted(GEO.glob("*.py"))
FORBIDDEN_NAMES = ("folium", "streamlit", "matplotlib")
"""Drawing and front-end libraries: geo hands data to maps/, it does not draw."""


def imported_modules(path: Path) -> list[str]:
    """Every module ``path`` imports, absolute (relative imports resolved against strikemap.geo)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # from . import x / from ..layers import y
                base = ["strikemap", "geo"][: 2 - (node.level - 1)] if node.level <= 2 else []
                found.append(".".join([*base, *([node.module] if node.module else [])]))
            else:
                found.append(node.module or "")
    return found


def test_geo_has_modules():
    assert len(MODULES) > 5


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_geo_imports_nothing_of_strikemap_outside_geo(path):
    outside = [
        name
        for name in imported_modules(path)
        if name.split(".")[0] == "strikemap" and not name.startswith("strikemap.geo")
    ]
    assert outside == [], f"geo/{path.name} imports {outside}; pass what geo needs as arguments"


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_geo_imports_no_drawing_library(path):
    drawing = [n for n in imported_modules(path) if n.split(".")[0] in FORBIDDEN_NAMES]
    assert drawing == [], f"geo/{path.name} imports {drawing}"


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_geo_names_no_layer(path):
    # layer names belong to the catalogue; geo learns roles (network line/node) from its caller
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    names = {"pipelines", "facilities", "fuel_stations", "power_lines"}
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    ]
    assert literals == [], f"geo/{path.name} names layers {literals}"


def test_folium_lat_lon_helpers_live_in_maps():
    source = "\n".join(p.read_text(encoding="utf-8") for p in MODULES)
    assert "folium" not in source.lower()

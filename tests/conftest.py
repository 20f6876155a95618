"""Shared fixtures: real fixture files and a freshly initialised show folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from podpub.podcasts.config import render_new_config
from podpub.podcasts.model import Category

FIXTURES = Path(__file__).parent / "fixtures"
BASE_URL = "https://cdn.example.org/show/"


def write_show(root: Path, base_url: str = BASE_URL, **overrides: object) -> Path:
    """A valid show folder with no episodes; returns its root."""
    values: dict[str, object] = {
        "title": "Test & Show",
        "author": "Ana Author",
        "email": "owner@example.org",
        "language": "fr",
        "categories": [Category("Society & Culture", "Documentary")],
        "base_url": base_url,
        "description": "A show for tests.",
    }
    values.update(overrides)
    root.mkdir(parents=True, exist_ok=True)
    (root / "podcast.toml").write_text(render_new_config(**values), encoding="utf-8")  # type: ignore[arg-type]
    (root / "episodes").mkdir(exist_ok=True)
    (root / "media").mkdir(exist_ok=True)
    return root


@pytest.fixture
def show_dir(tmp_path: Path) -> Path:
    return write_show(tmp_path / "show")


@pytest.fixture
def fixture_copy(tmp_path: Path):
    """Copy a committed fixture into tmp (tests that edit or replace audio must not touch the originals)."""

    def copy(name: str, dest: Path | None = None) -> Path:
        target = dest or tmp_path / "incoming" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(FIXTURES / name, target)
        return target

    return copy


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes: compare before/after to prove nothing was written."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}

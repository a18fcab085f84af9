"""Shared fixtures: paths to the fixture corpora and small builders of entries."""
from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
FIXTURES = TESTS / "fixtures"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Builds that do not name a cache use a temporary one, never the repository's .litmap-cache."""
    from generator.pipeline import CACHE_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("litmap-cache")))
        yield


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


@pytest.fixture
def write_listing(tmp_path):
    """Writes text to a listing file in a temporary folder and returns its path."""
    def write(text: str, name: str = "listing.txt", encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
        return path
    return write


@pytest.fixture(scope="session")
def bundled_build(tmp_path_factory):
    """The bundled corpus built once per test session: (site dir, offline site dir, Generated)."""
    from generator.pipeline import Project, build

    base = tmp_path_factory.mktemp("bundled")
    project = Project(docs=base / "docs", aliases=base / "aliases.json")
    generated = build([project.default_corpus], base / "site", project=project)
    build([project.default_corpus], base / "site-offline", offline=True, project=project)
    return base / "site", base / "site-offline", generated


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (tests/browser.py), one per test module."""
    from tests.browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def served(bundled_build):
    """The bundled site served on loopback: its base URL."""
    from tests.browser import serve

    with serve(bundled_build[0]) as url:
        yield url

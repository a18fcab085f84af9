"""Renders docs/ into an HTML site with MkDocs + Material, strictly and reproducibly."""
from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path

from .exceptions import BuildError
from .site_parallel import splittable, stream


@contextlib.contextmanager
def _environment(values: dict[str, str]):
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_site(config_file: Path, docs_dir: Path, site_dir: Path, *, offline: bool, epoch: int,
               redirects: dict[str, str] | None = None, material_search: bool = True, workers: int = 1) -> None:
    """Runs ``mkdocs build --strict`` into ``site_dir``; any warning fails the build. Where no
    plugin needs every page in one process, as Material's search does, paper pages are read, built
    and let go of one at a time, and shared with a forked worker if ``workers`` > 1
    (``site_parallel``)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    env = {"LITMAP_OFFLINE": "true" if offline else "false", "SOURCE_DATE_EPOCH": str(epoch),
           "LITMAP_REDIRECTS": json.dumps(redirects or {}, sort_keys=True),
           "LITMAP_MATERIAL_SEARCH": "true" if material_search else "false"}
    with _environment(env):
        try:
            config = load_config(str(config_file), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True)
            with stream(config, workers) if splittable(config) else contextlib.nullcontext():
                build(config)
        except MkDocsException as err:
            raise BuildError(f"MkDocs could not build the site: {err}") from None

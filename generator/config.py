"""The project's configuration file, ``litmap.toml``: which sources to read, in which format, the
year of listings whose dates give none, the analysis backend (``[analysis]``) and names of areas
chosen by the user (``[areas.<id>]``). Checked key by key; a mistake is a ConfigurationError
naming the file, the line and the key."""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from .exceptions import ConfigurationError
from .readers import FORMATS, Source

FILE_NAME = "litmap.toml"
TOP_KEYS = ("analysis", "listing_year", "sources", "areas")
SOURCE_KEYS = ("path", "format", "listing_year")
AREA_KEYS = ("name",)
ANALYSIS_KEYS = ("backend", "model")
BACKENDS = ("default", "background", "semantic")  # the analysers of generator.backends


@dataclass(frozen=True)
class Config:
    """What ``litmap.toml`` declares; paths are resolved against the file's folder."""

    file: Path
    listing_year: int | None = None
    sources: tuple[Source, ...] = ()
    area_names: tuple[tuple[str, str], ...] = ()  # (area id, the name to show), by id
    backend: str | None = None  # [analysis] backend
    model: str | None = None    # [analysis] model: a sentence-transformers model name or folder


def find(folder: Path | None = None) -> Path | None:
    """``litmap.toml`` in ``folder`` (default: the current directory), if there is one."""
    path = (folder or Path.cwd()) / FILE_NAME
    return path if path.is_file() else None


class _Checker:
    """Validates the parsed TOML, naming the line a key is on when it can be found in the text."""

    def __init__(self, path: Path, text: str):
        self.path, self.lines = path, text.split("\n")

    def fail(self, message: str, key: str | None = None, table: int | str | None = None):
        line = self._line(key, table) if key else None
        where = f"{self.path}:{line}" if line else str(self.path)
        raise ConfigurationError(f"{where}: {message}")

    def _line(self, key: str, table: int | str | None) -> int | None:
        """The line ``key = …`` is on: at the top level (``table`` None), in the table-th [[sources]]
        or in the table of that header ("areas.some-id"; the header itself for key "[table]")."""
        current: int | None = None
        pattern = re.compile(rf"^\s*(?:{re.escape(key)}|\"{re.escape(key)}\")\s*=")
        for number, line in enumerate(self.lines, 1):
            header = re.match(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?", line)
            if isinstance(table, str):
                if header:
                    current = header[1].replace('"', "").replace(" ", "") == table
                    if current and key == "[table]":
                        return number
                elif current is True and pattern.match(line):
                    return number
                continue
            if header:
                current = (current + 1 if current is not None else 0) if header[1] == "sources" else -1
                if table is not None and current == table and key == "[[sources]]":
                    return number
                continue
            if current == table and pattern.match(line):
                return number
        return None

    def year(self, value, name: str, key: str, table: int | None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.fail(f"{name} must be a whole number (a year such as 2024), not {_kind(value)}", key, table)
        if not 1000 <= value <= 9999:
            self.fail(f"{name} must be a four-digit year, not {value}", key, table)
        return value

    def unknown(self, data: dict, known: tuple[str, ...], where: str, table: int | str | None) -> None:
        for key in data:
            if key not in known:
                self.fail(f"{where}unknown key '{key}' (known keys: {', '.join(known)})", key, table)

    def source(self, data, index: int) -> Source:
        where = f"sources[{index + 1}]"
        if not isinstance(data, dict):
            self.fail(f"{where} must be a table with a path ([[sources]] with path = \"…\"), not {_kind(data)}",
                      "sources")
        self.unknown(data, SOURCE_KEYS, f"{where}: ", index)
        if "path" not in data:
            self.fail(f"{where}: the key 'path' is missing (the file or folder to read)", "[[sources]]", index)
        raw = data["path"]
        if not isinstance(raw, str) or not raw.strip():
            self.fail(f"{where}.path must be a file or folder name in quotes, not {_kind(raw)}", "path", index)
        path = self.path.parent / raw
        if not path.exists():
            self.fail(f"{where}.path: no such file or folder: {raw} (paths are relative to the folder of "
                      f"{self.path.name})", "path", index)
        fmt = data.get("format")
        if fmt is not None and (not isinstance(fmt, str) or fmt not in FORMATS):
            shown = f"'{fmt}'" if isinstance(fmt, str) else _kind(fmt)
            self.fail(f"{where}.format: unknown format {shown} (known formats: {', '.join(FORMATS)})",
                      "format", index)
        year = data.get("listing_year")
        if year is not None:
            year = self.year(year, f"{where}.listing_year", "listing_year", index)
        return Source(path, fmt, year)


    def area_names(self, data) -> tuple[tuple[str, str], ...]:
        """``[areas.<id>]`` tables, each with the ``name`` to show for the area of that id."""
        if not isinstance(data, dict):
            self.fail(f"areas must be tables such as [areas.some-area-id] with name = \"…\", not {_kind(data)}",
                      "areas")
        names = []
        for area_id, table in sorted(data.items()):
            where = f"areas.{area_id}"
            if not isinstance(table, dict):
                self.fail(f"{where} must be a table ([{where}] with name = \"…\"), not {_kind(table)}", area_id, "areas")
            self.unknown(table, AREA_KEYS, f"{where}: ", where)
            name = table.get("name")
            if name is None:
                self.fail(f"{where}: the key 'name' is missing (the name to show for this area)", "[table]", where)
            if not isinstance(name, str) or not name.strip():
                self.fail(f"{where}.name must be the area's name in quotes, not {_kind(name)}", "name", where)
            names.append((area_id, name.strip()))
        return tuple(names)

    def analysis(self, data) -> tuple[str | None, str | None]:
        """``[analysis]``: the backend (one of ``BACKENDS``) and the semantic backend's model."""
        if not isinstance(data, dict):
            self.fail(f"analysis must be a table ([analysis] with backend = \"…\"), not {_kind(data)}", "analysis")
        self.unknown(data, ANALYSIS_KEYS, "analysis: ", "analysis")
        backend, model = data.get("backend"), data.get("model")
        if backend is not None and backend not in BACKENDS:
            shown = f"'{backend}'" if isinstance(backend, str) else _kind(backend)
            self.fail(f"analysis.backend: unknown backend {shown} (known: {', '.join(BACKENDS)})", "backend", "analysis")
        if model is not None and (not isinstance(model, str) or not model.strip()):
            self.fail(f"analysis.model must be a model name or folder in quotes, not {_kind(model)}", "model", "analysis")
        return backend, model


def _kind(value) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a table"}
    kind = next((name for t, name in names.items() if isinstance(value, t)), type(value).__name__)
    return f"{kind} ({value!r})" if isinstance(value, (bool, int, float, str)) else kind


def load(path: Path) -> Config:
    """Reads and checks a configuration file."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise ConfigurationError(f"{path}: no such configuration file") from None
    except IsADirectoryError:
        raise ConfigurationError(f"{path}: is a folder, not a configuration file") from None
    except UnicodeDecodeError as err:
        raise ConfigurationError(f"{path}: not valid UTF-8 (byte {err.start}); save it as UTF-8") from None
    except OSError as err:
        raise ConfigurationError(f"{path}: cannot be read ({err.strerror})") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        m = re.search(r"\(at line (\d+), column (\d+)\)", str(err))
        where = f"{path}:{m[1]}" if m else str(path)
        raise ConfigurationError(f"{where}: not valid TOML: {str(err)}") from None
    check = _Checker(path, text)
    check.unknown(data, TOP_KEYS, "", None)
    year = data.get("listing_year")
    if year is not None:
        year = check.year(year, "listing_year", "listing_year", None)
    sources = data.get("sources", [])
    if not isinstance(sources, list):
        check.fail(f"sources must be a list of [[sources]] tables, not {_kind(sources)}", "sources")
    names = check.area_names(data.get("areas", {}))
    backend, model = check.analysis(data["analysis"]) if "analysis" in data else (None, None)
    return Config(file=path, listing_year=year, sources=tuple(check.source(s, i) for i, s in enumerate(sources)),
                  area_names=names, backend=backend, model=model)

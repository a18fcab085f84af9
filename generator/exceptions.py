"""Errors litmap raises on purpose; only the command line catches them and turns them into messages."""
from __future__ import annotations


class LitmapError(Exception):
    """Base class: a problem to report to the user as one clear line, never a traceback."""

    exit_code = 1


class Abort(LitmapError):
    """The user asked to stop (Ctrl-C) or a stage chose to stop the build."""


class ConfigurationError(LitmapError):
    """The configuration or the command line is wrong."""

    exit_code = 2


class InputError(LitmapError):
    """An input file cannot be read at all; names the file and, where known, the line."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path, self.message, self.line = path, message, line
        where = f"{path}:{line}" if line is not None else path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # from a worker process as itself, with its file and line
        return type(self), (self.path, self.message, self.line)


class BuildError(LitmapError):
    """The site could not be built (MkDocs failed, a strict-mode warning, a write failed)."""

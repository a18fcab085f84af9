"""Test support for work shared with forked workers: a meeting point that makes two processes
each take a task, and a check that no worker is left behind."""
from __future__ import annotations

import os
import time

import pytest


def meeting(folder, timeout=20):
    """A task's first step that waits (for at most ``timeout`` s) until two processes have begun
    theirs: each process takes a task and then meets the other, however slowly a worker starts."""
    folder.mkdir(parents=True, exist_ok=True)

    def meet():
        (folder / str(os.getpid())).touch()
        deadline = time.monotonic() + timeout
        while len(list(folder.iterdir())) < 2 and time.monotonic() < deadline:
            time.sleep(0.005)
    return meet


def no_child_left():
    with pytest.raises(ChildProcessError):
        os.waitpid(-1, os.WNOHANG)  # no child, running or unreaped

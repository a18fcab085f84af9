"""Test support for work shared with forked workers: a meeting point that makes two processes
each take a task, and a check that no worker is left behind."""
from __future__ import annotations

import os
import time

import psutil


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


def _shared_helper(child) -> bool:
    """multiprocessing's resource tracker: started once by any library that spawns processes (a
    Dask LocalCluster in another test) and kept for the whole session, it belongs to no build."""
    try:
        return "multiprocessing.resource_tracker" in " ".join(child.cmdline())
    except psutil.Error:  # a zombie (exited, never reaped) is a child left behind
        return False


def no_child_left():
    """No child process, running or unreaped, besides multiprocessing's resource tracker."""
    left = [child for child in psutil.Process().children() if not _shared_helper(child)]
    assert left == [], [(child.pid, child.status()) for child in left]

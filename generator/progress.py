"""Progress and timing of the pipeline's stages: rich progress bars on a terminal, plain lines
elsewhere (CI, logs), nothing when quiet. Every stage's wall time and peak memory, summed over this
process and every process it started (forked workers, MkDocs, Pagefind), are recorded."""
from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from dataclasses import dataclass, field

import psutil


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float
    peak_mb: float  # the stage's peak memory, summed over this process and its children (``TreeMemory``)


SAMPLE_EVERY = 0.2  # seconds between two readings of the process tree's memory


def _own_peak_mb() -> float:
    """This process' peak resident memory in MB since the last ``_reset_own_peak`` (Linux's
    VmHWM); 0 where the system does not say."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0.0


def _reset_own_peak() -> None:
    """Starts VmHWM afresh from the memory now resident (Linux ≥ 4.0; elsewhere nothing)."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        pass


def tree_mb(root: psutil.Process | None = None) -> float:
    """The memory in MB that a process and all its descendants hold now. One process: its resident
    set. Several (forked workers share their parent's pages until they write to them): the sum of
    their proportional set sizes, which counts each shared page once, split among its sharers."""
    root = root or psutil.Process()
    try:
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss if len(processes) == 1 else process.memory_full_info().pss
        except psutil.Error:  # ended meanwhile, or not ours to read
            pass
    return total / 2**20


class TreeMemory:
    """Samples ``tree_mb`` every SAMPLE_EVERY seconds in a background thread and keeps the highest
    reading since the last ``restart`` and since the start; this process' own peak (VmHWM, exact)
    counts too, so a short spike of this process between two readings is not missed."""

    def __init__(self):
        self.process = psutil.Process()
        self.lock = threading.Lock()
        self.since_restart = self.overall = 0.0
        self.thread: threading.Thread | None = None

    def _note(self, mb: float) -> None:
        with self.lock:
            self.since_restart = max(self.since_restart, mb)
            self.overall = max(self.overall, mb)

    def _sample(self) -> None:
        while True:
            self._note(tree_mb(self.process))
            time.sleep(SAMPLE_EVERY)

    def restart(self) -> None:
        """Starts a new stage's peak from the memory held now."""
        if self.thread is None or self.process.pid != os.getpid():  # first use, or in a forked copy
            self.process = psutil.Process()
            self.thread = threading.Thread(target=self._sample, name="litmap-memory", daemon=True)
            self.thread.start()
        _reset_own_peak()
        now = tree_mb(self.process)
        with self.lock:
            self.since_restart = now
            self.overall = max(self.overall, now)

    def peak(self) -> float:
        """The highest reading since the last ``restart`` (MB), this one included."""
        self._note(max(tree_mb(self.process), _own_peak_mb()))
        with self.lock:
            return self.since_restart


memory = TreeMemory()  # one per process: the stages of a build follow each other


def peak_mb() -> float:
    """The highest memory this process and its children held together since the first stage (MB)."""
    memory.peak()
    with memory.lock:
        return memory.overall


def _no_progress(n: int = 1, total: int | None = None) -> None:
    pass


@dataclass
class Progress:
    """``mode`` is "auto" (bars on a terminal, lines otherwise), "lines" or "quiet"."""

    mode: str = "quiet"
    timings: list[StageTiming] = field(default_factory=list)

    def __post_init__(self):
        if self.mode == "auto":
            self.mode = "bars" if sys.stderr.isatty() else "lines"
        self._advance = _no_progress

    def advance(self, n: int = 1, total: int | None = None) -> None:
        """Counts ``n`` more items done in the stage now running (and sets its ``total``, if given);
        nothing outside a stage. Only ever called in this process: a forked worker may hold a copy
        of the bar's lock taken by its thread."""
        self._advance(n, total)

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None):
        """Times a stage; yields ``advance(n=1, total=None)`` for stages that go item by item (the
        total may be given once it is known)."""
        memory.restart()
        start = time.perf_counter()
        outer = self._advance
        if self.mode == "bars":
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TimeElapsedColumn

            with Bars("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), transient=True) as bars:
                task = bars.add_task(name, total=total)
                self._advance = lambda n=1, total=None: bars.update(task, advance=n, total=total)
                try:
                    yield self._advance
                finally:
                    self._advance = outer
        else:
            if self.mode == "lines":
                print(f"litmap: {name}…", file=sys.stderr, flush=True)
            yield _no_progress
        timing = StageTiming(name, time.perf_counter() - start, memory.peak())
        self.timings.append(timing)
        if self.mode != "quiet":
            print(f"litmap: {name}: {timing.seconds:.1f} s", file=sys.stderr, flush=True)

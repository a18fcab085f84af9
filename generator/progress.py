"""Progress and timing of the pipeline's stages: rich progress bars on a terminal, plain lines
elsewhere (CI, logs), nothing when quiet. Every stage's wall time and peak memory are recorded."""
from __future__ import annotations

import contextlib
import resource
import sys
import time
from dataclasses import dataclass, field


@dataclass(frozen=True)
class StageTiming:
    name: str
    seconds: float
    peak_mb: float  # the build's peak memory so far (this process, plus its workers: see peak_mb)


_workers_peak = 0.0  # MB: the highest (own peak + forked workers' private peak) recorded so far


def _own_peak_mb() -> float:
    """This process' peak resident memory in MB: Linux's VmHWM, which starts afresh in a new
    program (getrusage's maximum carries over from the process that started it), else getrusage."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_mb() -> float:
    """The build's peak memory in MB so far: this process' peak resident memory, or, once forked
    workers have run (``workers.py``), at most this peak plus their private peaks, whichever is
    higher. A forked worker's pages are the parent's until one of them writes to a page, so the
    two together hold the parent's resident pages plus the worker's private ones; the sum of the
    two peaks bounds that from above even if they were not reached at the same moment."""
    return max(_own_peak_mb(), _workers_peak)


def private_mb() -> float:
    """This process' private memory in MB (Linux: Private_Clean + Private_Dirty of
    /proc/self/smaps_rollup), i.e. what it holds that no other process shares; 0 elsewhere."""
    total = 0
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as rollup:
            for line in rollup:
                if line.startswith(("Private_Clean:", "Private_Dirty:")):
                    total += int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return total / 1024


def record_workers_peak(private: float) -> None:
    """Counts forked workers that just finished, whose private peaks add up to ``private`` MB,
    in ``peak_mb``."""
    global _workers_peak
    _workers_peak = max(_workers_peak, _own_peak_mb() + private)


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
        timing = StageTiming(name, time.perf_counter() - start, peak_mb())
        self.timings.append(timing)
        if self.mode != "quiet":
            print(f"litmap: {name}: {timing.seconds:.1f} s", file=sys.stderr, flush=True)

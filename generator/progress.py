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
    peak_mb: float  # the process's peak resident memory so far


def peak_mb() -> float:
    """The process's peak resident memory in MB: Linux's VmHWM, which starts afresh in a new
    program (getrusage's maximum carries over from the process that started it), else getrusage."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Progress:
    """``mode`` is "auto" (bars on a terminal, lines otherwise), "lines" or "quiet"."""

    mode: str = "quiet"
    timings: list[StageTiming] = field(default_factory=list)

    def __post_init__(self):
        if self.mode == "auto":
            self.mode = "bars" if sys.stderr.isatty() else "lines"

    @contextlib.contextmanager
    def stage(self, name: str, total: int | None = None):
        """Times a stage; yields ``advance(n=1)`` for stages that go item by item."""
        start = time.perf_counter()
        if self.mode == "bars":
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TimeElapsedColumn

            with Bars("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), transient=True) as bars:
                task = bars.add_task(name, total=total)
                yield lambda n=1: bars.advance(task, n)
        else:
            if self.mode == "lines":
                print(f"litmap: {name}…", file=sys.stderr, flush=True)
            yield lambda n=1: None
        timing = StageTiming(name, time.perf_counter() - start, peak_mb())
        self.timings.append(timing)
        if self.mode != "quiet":
            print(f"litmap: {name}: {timing.seconds:.1f} s", file=sys.stderr, flush=True)

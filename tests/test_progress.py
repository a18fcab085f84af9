"""Stage timings: each stage's wall time and its own peak memory, summed over this process and every
process it started (forked workers, programs such as Pagefind)."""
from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import json
from generator.progress import Progress, peak_mb
before = peak_mb()
progress = Progress("quiet")
with progress.stage("hold 80 MB"):
    block = bytearray(80 * 2**20)
    block[::4096] = b"x" * len(block[::4096])  # touch every page, so it is resident
print(json.dumps([before, [(t.name, t.seconds, t.peak_mb) for t in progress.timings]]))
"""


def test_peak_memory_rises_with_what_a_stage_holds():
    # a fresh process: this one's peak so far would hide a small stage's
    out = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True).stdout
    before, timings = json.loads(out)
    [(name, seconds, peak)] = timings
    assert name == "hold 80 MB" and seconds >= 0
    assert before + 60 <= peak < before + 200


WORKER_SCRIPT = """
import json, os, time
from generator import workers
from generator.progress import Progress, peak_mb
held = []
def work(i):
    if os.getpid() == main:
        time.sleep(0.3)  # so that the worker takes tasks too
    elif not held:  # the forked worker holds 80 MB of its own
        block = bytearray(80 * 2**20)
        block[::4096] = b"x" * len(block[::4096])
        held.append(block)
        time.sleep(0.6)  # children are sampled every 0.2 s: held long enough to be seen
main = os.getpid()
before = peak_mb()
progress = Progress("quiet")
with progress.stage("a worker holds 80 MB"):
    workers.run(4, work, lambda: None, 2)
print(json.dumps([before, progress.timings[0].peak_mb]))
"""


def test_a_forked_workers_private_memory_counts_in_the_peak():
    out = subprocess.run([sys.executable, "-c", WORKER_SCRIPT], capture_output=True, text=True, check=True).stdout
    before, peak = json.loads(out)
    assert before + 60 <= peak < before + 200


CHILD_SCRIPT = """
import json, subprocess, sys
from generator.progress import Progress, peak_mb
HOLD = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096]); import time; time.sleep(1.5)"
progress = Progress("quiet")
with progress.stage("a program holds 150 MB"):
    subprocess.run([sys.executable, "-c", HOLD], check=True)
with progress.stage("nothing"):
    pass
print(json.dumps([t.peak_mb for t in progress.timings] + [peak_mb()]))
"""


def test_a_started_programs_memory_counts_in_its_stage_only():
    # MkDocs' and Pagefind's memory is the build's too; the next stage starts afresh
    out = subprocess.run([sys.executable, "-c", CHILD_SCRIPT], capture_output=True, text=True, check=True).stdout
    held, after, overall = json.loads(out)
    assert held >= after + 140  # the child's 150 MB (plus its interpreter) counted in its stage...
    assert after < held - 140  # ...and not in the next one
    assert overall == held  # the whole command's peak is the highest stage's


class _Terminal:
    """A stand-in for stderr: a terminal or not, keeping what is written."""

    def __init__(self, tty: bool):
        self.tty, self.text = tty, []

    def isatty(self) -> bool:
        return self.tty

    def write(self, text: str) -> int:
        self.text.append(text)
        return len(text)

    def flush(self) -> None:
        pass


def test_bars_on_a_terminal_and_plain_lines_elsewhere(monkeypatch):
    import rich.progress

    from generator.progress import Progress

    finished = {}
    stop = rich.progress.Progress.stop

    def stopped(bars):  # what each bar showed as its stage ended
        finished.update((task.description, (task.completed, task.total)) for task in bars.tasks)
        return stop(bars)
    monkeypatch.setattr(rich.progress.Progress, "stop", stopped)
    for tty, mode in ((True, "bars"), (False, "lines")):
        err = _Terminal(tty)
        monkeypatch.setattr(sys, "stderr", err)
        progress = Progress("auto")
        assert progress.mode == mode
        with progress.stage("clean", total=3) as advance:
            advance(3)
        with progress.stage("render") as advance:  # the total given once known, as by the writer
            advance(0, total=2)
            progress.advance(2)
        progress.advance(1)  # outside a stage: nothing to count
        written = "".join(err.text)
        if mode == "lines":  # a CI log gets one line as a stage starts and one as it ends
            assert written.startswith("litmap: clean…\nlitmap: clean: ") and written.endswith(" s\n")
            assert "litmap: render…\nlitmap: render: " in written
        else:  # a terminal gets a bar while the stage runs (removed as it ends), then the line
            assert written.startswith("litmap: clean: ") and "…" not in written
            assert finished == {"clean": (3, 3), "render": (2, 2)}

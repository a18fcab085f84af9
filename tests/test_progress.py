"""Stage timings: each stage's wall time and the process's peak memory so far."""
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

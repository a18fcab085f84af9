"""Runs a list of tasks on several cores: this process and workers forked from it, which share its
memory copy-on-write (the papers, analysis and graph are neither copied nor pickled). Each process
takes the next task as it becomes free, so the split balances itself whatever the tasks cost; what
each task makes must not depend on which process ran it.

Tasks are handed out through a pipe filled with their numbers before the fork: reading one number
from a pipe is atomic, so the processes share no lock and a worker that dies holds nothing up. A
worker reports back through a second pipe (``multiprocessing.connection``): its result, or the
exception that stopped it, which is raised again here as if this process had raised it. The
workers ignore Ctrl-C; this process, interrupted or failing, kills them and waits for them before
the error goes on, so nothing keeps writing after it.
"""
from __future__ import annotations

import array
import contextlib
import ctypes
import gc
import os
import pickle
import signal
import traceback
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, Pipe, wait

from .exceptions import BuildError, LitmapError

WORKERS_ENV = "LITMAP_WORKERS"  # how many processes render and export (1: this one only)
MAX_WORKERS = 2  # without LITMAP_WORKERS: each worker holds its own copy of what it touches
ONE_PROCESS_ABOVE = 40_000  # papers; without LITMAP_WORKERS, larger corpora render in one process
# (memory: a worker ends up copying ~60% of the heap it shares, and the heap grows with the corpus;
# at 74,728 papers 2.35 GB + 1.5 GB = 3.9 GB against 2.77 GB in one process, over the 3 GB aimed at)
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies


def worker_count(papers: int = 0) -> int:
    """How many processes share the work for a corpus of ``papers``: ``LITMAP_WORKERS`` if set,
    else the cores this process may use (at most MAX_WORKERS), or 1 above ONE_PROCESS_ABOVE
    papers; always 1 where processes cannot be forked."""
    if not hasattr(os, "fork"):
        return 1
    wanted = os.environ.get(WORKERS_ENV, "").strip()
    if wanted:
        try:
            return max(1, int(wanted))
        except ValueError:
            raise BuildError(f"{WORKERS_ENV} must be a whole number of processes, not {wanted!r}") from None
    if papers > ONE_PROCESS_ABOVE:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, min(cores, MAX_WORKERS))


class RemoteTraceback(Exception):
    """The traceback of an exception raised in a worker (attached as its cause)."""

    def __str__(self) -> str:
        return self.args[0]


def run(count: int, work: Callable[[int], None], result: Callable[[], object], workers: int) -> list:
    """Calls ``work(i)`` for every ``i`` in ``range(count)``, spread over ``workers`` processes
    (this one included); returns each process' ``result()`` once its share is done, this one's
    first. The heap is frozen (``gc.freeze``, undone at the end unless the caller had frozen it)
    before forking, so that collecting garbage does not copy the shared pages into every worker."""
    tasks = _task_pipe(count) if workers > 1 and count > 1 else None
    if tasks is None:
        for i in range(count):
            work(i)
        return [result()]
    owner = not gc.get_freeze_count()
    gc.freeze()
    children: dict[int, Connection] = {}
    try:
        for _ in range(workers - 1):
            _fork(children, _share(tasks, work, result))
        for i in _claims(tasks, stop=lambda: bool(children) and bool(wait(list(children.values()), timeout=0))):
            work(i)
        results = [result()]
        for pid, conn in list(children.items()):
            message = _receive(conn)
            _, status = os.waitpid(pid, 0)
            del children[pid]
            results.append(_outcome(message, status))
        return results
    finally:
        os.close(tasks)
        for pid, conn in children.items():  # still running: this process failed or was interrupted
            conn.close()
            _stop(pid)
        if owner:
            gc.unfreeze()


class Background:
    """``job()`` run by a forked worker while this process goes on (the heap frozen as in
    ``run``): ``result()`` waits for what it returned, raising what stopped it; ``stop()`` kills it.
    Where no worker can be forked, ``result()`` runs the job in this process."""

    def __init__(self, job: Callable[[], object]):
        self.job: Callable[[], object] | None = job
        self.children: dict[int, Connection] = {}
        self.owner = not gc.get_freeze_count()
        gc.freeze()
        _fork(self.children, job)
        if not self.children:
            self._thaw()

    def result(self):
        job, self.job = self.job, None
        if job is None:
            raise BuildError("a background job's result was asked for twice, or after it was stopped")
        if not self.children:
            return job()
        (pid, conn), = self.children.items()
        try:
            message = _receive(conn)
            _, status = os.waitpid(pid, 0)
            del self.children[pid]
        finally:
            self.stop()
        return _outcome(message, status)

    def stop(self) -> None:
        self.job = None
        for pid, conn in self.children.items():
            conn.close()
            _stop(pid)
        self.children.clear()
        self._thaw()

    def _thaw(self) -> None:
        if self.owner:
            gc.unfreeze()
            self.owner = False


_REMOTE: list = []  # the executor of the build under way when it runs on a cluster (``cluster.py``)


@contextlib.contextmanager
def using(executor) -> Iterator[None]:
    """Within this block ``map_chunks`` and the writer's file jobs run on ``executor`` (a
    ``cluster.DaskExecutor``: ``map(function, items, done)``, ``write_jobs(jobs, stager, advance)``)
    instead of forked workers."""
    _REMOTE.append(executor)
    try:
        yield
    finally:
        _REMOTE.remove(executor)


def remote():
    """The cluster executor of the build under way, or None: the work stays on this machine."""
    return _REMOTE[-1] if _REMOTE else None


def map_chunks(function: Callable[[list], object], items: list, workers: int, chunk: int,
               done: Callable[[int], None] = lambda n: None) -> list:
    """``[function(items[i:i + chunk]) for i in range(0, len(items), chunk)]``, the chunks shared
    out over ``workers`` processes (this one included); what ``function`` returns travels back
    pickled. ``done(n)`` is told, in this process only (a progress bar's lock may have been taken
    by its thread as the worker forked), of each chunk of ``n`` items this process finishes, and of
    the workers' chunks once they are back. On a cluster (``using``) every chunk is a task there,
    whatever ``workers`` says."""
    chunks = [items[i:i + chunk] for i in range(0, len(items), chunk)]
    if remote() is not None:
        sizes = iter([len(c) for c in chunks])
        return remote().map(function, chunks, lambda _: done(next(sizes)))
    found: dict[int, object] = {}
    here = os.getpid()

    def work(i: int) -> None:
        found[i] = function(chunks[i])
        if os.getpid() == here:
            done(len(chunks[i]))
    parts = run(len(chunks), work, lambda: found, workers)
    done(sum(len(chunks[i]) for part in parts[1:] for i in part))
    merged = {i: value for part in parts for i, value in part.items()}
    return [merged[i] for i in range(len(chunks))]


def _task_pipe(count: int) -> int | None:
    """A pipe holding the task numbers (its reading end), or None where they do not all fit in
    its buffer (the work is then done in this process alone)."""
    numbers = array.array("I", range(count)).tobytes()
    tasks, feed = os.pipe()
    try:
        os.set_blocking(feed, False)
        if os.write(feed, numbers) == len(numbers):
            return tasks
    except BlockingIOError:
        pass
    finally:
        os.close(feed)
    os.close(tasks)
    return None


def _claims(tasks: int, stop: Callable[[], bool] = lambda: False):
    """The numbers of the tasks this process takes, one at a time, until none is left (or ``stop``
    says a worker has something to report, such as an error)."""
    while not stop():
        taken = os.read(tasks, 4)
        if not taken:
            return
        yield array.array("I", taken)[0]


def _fork(children: dict[int, Connection], job: Callable[[], object]) -> None:
    """Starts a worker running ``job`` (which returns its result) and adds it to ``children``; where the system cannot fork now (out of processes or
    memory), adds nothing."""
    receive, send = Pipe(duplex=False)
    parent = os.getpid()
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # until the worker is known
    try:
        try:
            pid = os.fork()
        except OSError:
            receive.close()
            return
        if pid == 0:  # the worker: never returns
            _die_with(parent)
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
            receive.close()
            _work_in_child(job, send)
        children[pid] = receive
    finally:
        send.close()
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)


def _die_with(parent: int) -> None:
    """Has the kernel kill this worker when its parent dies, however it dies (killed, out of
    memory), so that it never writes on into a staged folder (Linux; elsewhere it stops at its
    next task). Exits at once if the parent is already gone."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _share(tasks: int, work, result) -> Callable[[], object]:
    """A worker's job in ``run``: tasks from the pipe until none is left (or the parent is gone)."""
    parent = os.getpid()

    def job() -> object:
        for i in _claims(tasks, stop=lambda: os.getppid() != parent):  # the parent is gone: stop
            work(i)
        return result()
    return job


def _work_in_child(job, send: Connection) -> None:
    code = 0
    try:
        message = ("done", job())
    except BaseException as exc:  # noqa: BLE001 -- everything goes back to the parent
        message = ("failed", _portable(exc), traceback.format_exc())
    try:
        send.send(message)
    except BaseException:  # noqa: BLE001 -- the parent is gone; nothing else to tell
        code = 1
    finally:
        os._exit(code)  # no cleanup of the parent's: its files, buffers and exit handlers are its own


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else an error of the same kind with the same message."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:  # noqa: BLE001 -- any reason it cannot travel
        kind = BuildError if isinstance(exc, LitmapError) else RuntimeError
        return kind(str(exc) if isinstance(exc, LitmapError) else f"{type(exc).__name__}: {exc}")


def _receive(conn: Connection):
    """What a worker reported, or None if it ended without a word."""
    try:
        return conn.recv()
    except EOFError:
        return None
    finally:
        conn.close()


def _outcome(message, status: int) -> object:
    """A finished worker's result; raises what stopped it."""
    if message is None:
        raise BuildError(f"a worker process stopped before finishing its share ({_describe(status)}); "
                         "nothing was replaced")
    if message[0] == "failed":
        _, exc, text = message
        raise exc from RemoteTraceback(f"\n\nin the worker process:\n{text}")
    return message[1]


def _describe(status: int) -> str:
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else str(sig)
        hint = ", perhaps out of memory" if sig == signal.SIGKILL else ""
        return f"killed by {name}{hint}"
    return f"exit status {os.waitstatus_to_exitcode(status)}"


def _stop(pid: int) -> None:
    """Kills a worker and waits for it, so it writes nothing more."""
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass

"""Runs the build's parallel tasks on an existing Dask distributed cluster (``--scheduler``):
cleaning, the neighbour search in blocks, the writing out of terms, and rendering pages and
exports. Without a scheduler nothing here is used and ``workers.py`` forks on this machine.

What a task needs (a function and everything it closes over: the papers, the analysis, the page
renderer) is pickled once, sent to every worker once (``scatter(broadcast=True)``) and unpickled
once per worker; a task then names only its item. Results come back in task order, so the output is
the bytes a local build makes. Files are written here, by this process: workers only make them.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from . import __version__, workers
from .cache import code_fingerprint
from .exceptions import BuildError, ConfigurationError

INSTALL_HINT = "pip install -e '.[cluster]'"
CONNECT_TIMEOUT = "10s"  # how long to wait for the scheduler before giving up
IN_FLIGHT_PER_WORKER = 4  # tasks submitted ahead per worker thread: results wait here in order
_LOADED: dict[str, object] = {}  # on a worker: the shared inputs unpickled, by their key
_LOADING = threading.Lock()
KEEP_LOADED = 2  # shared inputs a worker keeps unpickled (the newest)


def identity() -> tuple[str, str]:
    """What a worker must share with this process: litmap's version and a hash of its code."""
    return __version__, code_fingerprint(sys.modules[__package__])


def _rebuilt_lru(function: Callable, maxsize: int | None, typed: bool) -> Callable:
    return functools.lru_cache(maxsize=maxsize, typed=typed)(function)


def _rebuilt_environment(templates: str):
    from .pages import make_environment

    if not Path(templates).is_dir():
        raise BuildError(f"the templates folder {templates} is not readable on Dask worker "
                         f"{os.uname().nodename}: workers need the project at the same path")
    return make_environment(Path(templates))


def _pickler_class():
    import cloudpickle
    from jinja2 import Environment, FileSystemLoader

    class Pickler(cloudpickle.Pickler):
        """cloudpickle, plus two things it cannot pickle as they are: a memo (``lru_cache``) of a
        local function, rebuilt empty around the function; and the pages' Jinja2 environment,
        rebuilt from its templates folder on the worker."""

        def reducer_override(self, obj):
            if isinstance(obj, functools._lru_cache_wrapper) and "<locals>" in getattr(obj, "__qualname__", "<locals>"):
                parameters = obj.cache_parameters()
                return _rebuilt_lru, (obj.__wrapped__, parameters["maxsize"], parameters["typed"])
            if type(obj) is Environment and isinstance(obj.loader, FileSystemLoader):
                return _rebuilt_environment, (str(obj.loader.searchpath[0]),)
            return super().reducer_override(obj)
    return Pickler


def dumps(obj) -> bytes:
    """``obj`` pickled for a worker (``Pickler``)."""
    buffer = io.BytesIO()
    _pickler_class()(buffer, protocol=5).dump(obj)
    return buffer.getvalue()


def _loaded(key: str, blob: bytes):
    """On a worker: the shared input ``blob`` unpickled, once per worker process."""
    import pickle

    with _LOADING:
        if key not in _LOADED:
            while len(_LOADED) >= KEEP_LOADED:
                del _LOADED[next(iter(_LOADED))]
            _LOADED[key] = pickle.loads(blob)
        return _LOADED[key]


def _call(key: str, blob: bytes, item):
    """A task: the shared function applied to one item."""
    return _loaded(key, blob)(item)


def _job_files(jobs, trusted: dict[str, str], i: int) -> list[tuple[str, bytes | tuple[str, bytes | None]]]:
    """The files of the i-th file job, made in full; a deferred file as (key, bytes), its bytes
    made only where its key differs from the one docs/ holds it as (``trusted``), else None."""
    from .writer import Deferred

    made = []
    for rel, data in jobs[i]():
        if isinstance(data, Deferred):
            data = (data.key, None if trusted.get(rel) == data.key else data.make())
        elif not isinstance(data, bytes):
            data = b"".join(data)
        made.append((rel, data))
    return made


def _as_deferred(rel: str, key: str, data: bytes | None):
    from .writer import Deferred

    def make() -> bytes:
        if data is None:
            raise BuildError(f"docs/{rel} changed while the site was being built; build again")
        return data
    return Deferred(key, make)


def task_name(function: Callable) -> str:
    """What the cluster's task stream calls a task of ``function`` (its name, as in the code)."""
    while isinstance(function, functools.partial):
        function = function.func
    return getattr(function, "__name__", "task").strip("_<>") or "task"


class DaskExecutor:
    """Tasks on a Dask cluster, through a connected ``distributed.Client``."""

    remote = True

    def __init__(self, client):
        self.client = client
        self.shipped: list[tuple[str, int]] = []  # (kind of task, bytes sent to each worker once)

    def imap(self, function: Callable, items: Iterable) -> Iterator:
        """``function(item)`` for each item, computed on the cluster, yielded in order. The function
        (and what it closes over) travels to each worker once; at most a few tasks per worker
        thread are ahead of the one being yielded, so results do not pile up here."""
        items = list(items)
        if not items:
            return
        blob = dumps(function)
        key = hashlib.sha256(blob).hexdigest()
        shared = self.client.scatter(blob, broadcast=True, hash=False)
        ahead = max(1, IN_FLIGHT_PER_WORKER * sum(self.client.nthreads().values()))
        self.shipped.append((task_name(function), len(blob)))
        name = f"{task_name(function)}-{uuid.uuid4().hex[:12]}"  # unique per call: keys never clash
        pending: list = []
        try:
            for i, item in enumerate(items):
                pending.append(self.client.submit(_call, key, shared, item, key=f"{name}-{i}"))
                if len(pending) >= ahead:
                    yield self._result(pending.pop(0))
            while pending:
                yield self._result(pending.pop(0))
        finally:
            if pending:
                self.client.cancel(pending)
            self.client.cancel([shared])

    def map(self, function: Callable, items: list, done: Callable[[int], None] = lambda n: None) -> list:
        """As ``imap``, as a list; ``done(1)`` for each result back."""
        found = []
        for value in self.imap(function, items):
            found.append(value)
            done(1)
        return found

    def write_jobs(self, jobs, stager, advance: Callable[[int], None]) -> None:
        """File jobs (``writer.FileJobs``) made on the cluster and written by ``stager`` here, in
        order; a deferred file is made only where docs/ does not hold it as made already."""
        probe = type(stager)(stager.target, stager.staged, stager.before)
        trusted = {rel: made.key for rel, made in stager.before.files.items()
                   if probe._as_made(rel, stager.target / rel, made.key)}
        made = self.imap(functools.partial(_job_files, list(jobs), trusted), range(len(jobs)))
        for files in made:
            stager.write((rel, _as_deferred(rel, *data) if isinstance(data, tuple) else data) for rel, data in files)
            advance(1)

    @staticmethod
    def _result(future):
        from distributed import CancelledError
        from distributed.scheduler import KilledWorker

        try:
            return future.result()
        except KilledWorker as err:
            raise BuildError(f"a Dask worker died while running a task ({err}); nothing was replaced") from None
        except CancelledError:
            raise BuildError("the Dask cluster cancelled a task (the scheduler went away?); "
                             "nothing was replaced") from None


def _reachable(address: str) -> None:
    """Stops with a clear error where ``address`` is no scheduler address, or nothing listens there
    (a TCP address is tried with a plain socket first: a ``Client`` that fails to connect takes
    seconds to give up, and more to be collected)."""
    from distributed.comm.addressing import parse_address, parse_host_port
    from distributed.comm.registry import backends
    from dask.utils import parse_timedelta

    try:
        scheme, location = parse_address(address)
        if scheme not in backends:
            raise ValueError(f"no such protocol {scheme}://; known: {', '.join(sorted(backends))}")
        host, port = parse_host_port(location) if scheme == "tcp" else (None, None)
    except ValueError as err:
        raise ConfigurationError(f"--scheduler {address!r} is not a scheduler address such as "
                                 f"tcp://HOST:8786 ({err})") from None
    if host is not None:
        try:
            socket.create_connection((host, port), timeout=parse_timedelta(CONNECT_TIMEOUT)).close()
        except OSError as err:
            raise ConfigurationError(f"cannot reach the Dask scheduler at {address} "
                                     f"({err.strerror or err})") from None


def connect(address: str):
    """A ``distributed.Client`` connected to the scheduler at ``address``, checked to run the same
    litmap as this process; a clear ``ConfigurationError`` where that cannot be had."""
    try:
        from distributed import Client
    except ImportError:
        raise ConfigurationError(f"--scheduler needs Dask: {INSTALL_HINT}") from None
    _reachable(address)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT, set_as_default=False)
    except (OSError, TimeoutError, ValueError) as err:
        raise ConfigurationError(f"cannot reach the Dask scheduler at {address} ({err})") from None
    try:
        ours = identity()
        theirs = client.run(identity)
        if not theirs:
            raise ConfigurationError(f"the Dask scheduler at {address} has no workers: start some with "
                                     f"`dask worker {address} --nthreads 1`")
        for worker, found in sorted(theirs.items()):
            if tuple(found) != ours:
                raise ConfigurationError(f"Dask worker {worker} runs litmap {found[0]} with other code than "
                                         f"this litmap {ours[0]}: install the same checkout on every worker")
    except BaseException:
        client.close()
        raise
    return client


@contextlib.contextmanager
def on_scheduler(address: str | None) -> Iterator[None]:
    """Within this block the parallel stages run on the Dask cluster at ``address`` (``None``:
    on this machine, ``workers.py``)."""
    if not address:
        yield
        return
    client = connect(address)
    try:
        with workers.using(DaskExecutor(client)):
            yield
    finally:
        client.close()


def with_scheduler(function: Callable) -> Callable:
    """``function`` taking one keyword more, ``scheduler: str | None``: the address of the Dask
    scheduler its parallel stages run on (``None``: this machine)."""

    @functools.wraps(function)
    def wrapper(*args, scheduler: str | None = None, **kwargs):
        with on_scheduler(scheduler):
            return function(*args, **kwargs)
    return wrapper

"""Worker processes for ingest, one file at a time each, with a wall-clock limit per file.

The parent knows which file each worker holds and since when, so a file over
``limits.file_seconds`` is stopped by killing its worker (which works wherever the worker is
stuck, C code included) together with anything the worker started; a fresh worker takes its
place and the files of the other workers are not disturbed. A worker's address space is
bounded by ``limits.worker_memory`` (RLIMIT_AS), and a worker dies with its parent (Linux
PR_SET_PDEATHSIG; elsewhere it watches its parent's pid), so a killed ingest leaves nothing.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from multiprocessing.connection import Connection, wait
from typing import Any, TypeVar

from .. import limits
from ..limits import Limits

T = TypeVar("T")
PR_SET_PDEATHSIG = 1
CRASHED = "解析进程异常退出（可能是文件损坏或内存不足）"
KILLED = "内存超限（解析进程被系统终止）"


def timed_out(lim: Limits) -> str:
    return f"处理超时（超过 {lim.file_seconds:g} 秒）"


def memory_exceeded(lim: Limits) -> str:
    bound = f"（超过 {lim.worker_memory // (1 << 20)} MB）" if lim.worker_memory else ""
    return f"内存超限{bound}"


# -- in the worker ----------------------------------------------------------------------------


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux); elsewhere, a thread
    that watches the parent's pid. Either way, exit now if the parent is already gone."""
    armed = False
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            armed = ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    if os.getppid() != parent:
        os._exit(1)
    if not armed:

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()


def limit_memory(size: int) -> None:
    """Bound this process's address space (no bound for 0, or where the OS has none)."""
    if not size:
        return
    try:
        import resource
    except ImportError:  # pragma: no cover - not POSIX
        return
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = size if hard == resource.RLIM_INFINITY else min(size, hard)
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def _serve(conn: Connection, parent: int, lim: Limits, fn: Callable[..., Any]) -> None:
    """A worker's life: take a job, send its outcome, until told to stop or orphaned."""
    die_with_parent(parent)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    limits.set_current(lim)
    limit_memory(lim.worker_memory)
    while True:
        try:
            while not conn.poll(1.0):
                if os.getppid() != parent:
                    return
            args = conn.recv()
        except (EOFError, OSError):
            return
        if args is None:
            return
        try:
            outcome = fn(*args)
        except MemoryError:
            outcome = memory_exceeded(lim)
        try:
            conn.send(outcome)
        except MemoryError:
            conn.send(memory_exceeded(lim))
        except (EOFError, OSError):
            return


# -- in the parent ----------------------------------------------------------------------------


def _descendants(root: int) -> list[int]:
    """Processes started by `root`, its children's children too (from /proc; none elsewhere)."""
    children: dict[int, list[int]] = {}
    try:
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return []
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> None:
    """Kill a worker and everything it started (a LibreOffice in its own session included)."""
    below = _descendants(pid)
    own = os.getpgrp()
    for target in [pid, *below]:
        with contextlib.suppress(OSError):
            os.kill(target, signal.SIGKILL)
    for target in below:
        with contextlib.suppress(OSError):
            group = os.getpgid(target)
            if group == target and group != own:
                os.killpg(group, signal.SIGKILL)


class _Worker:
    def __init__(self, ctx, lim: Limits, fn: Callable[..., Any]):
        self.conn, theirs = ctx.Pipe()
        self.proc = ctx.Process(target=_serve, args=(theirs, os.getpid(), lim, fn), daemon=True)
        self.proc.start()
        theirs.close()
        self.item: Any = None
        self.started = 0.0

    def stop(self, kill: bool = False) -> None:
        if not kill:
            with contextlib.suppress(OSError, ValueError):
                self.conn.send(None)
            self.proc.join(timeout=1.0)
        if self.proc.is_alive():
            kill_tree(self.proc.pid)
        self.proc.join(timeout=5.0)
        self.conn.close()


def _context():
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def run(
    fn: Callable[..., Any], items: list[tuple[T, tuple]], workers: int, lim: Limits
) -> Iterator[tuple[T, Any]]:
    """(item, fn(*args)) for each (item, args), in completion order; fn runs in worker
    processes. A file over its time, or whose worker died, comes back with the reason (str)."""
    ctx = _context()
    queue = deque(items)
    pool: list[_Worker] = []
    deaths: Counter = Counter()
    try:
        while queue or any(w.item is not None for w in pool):
            for w in [w for w in pool if w.item is None and not w.proc.is_alive()]:
                pool.remove(w)
                w.stop(kill=True)
            idle = [w for w in pool if w.item is None]
            while queue and (idle or len(pool) < workers):
                w = idle.pop() if idle else _Worker(ctx, lim, fn)
                if w not in pool:
                    pool.append(w)
                item, args = queue.popleft()
                try:
                    w.conn.send(args)
                except (OSError, ValueError):  # it died idle: another takes the file
                    queue.appendleft((item, args))
                    pool.remove(w)
                    w.stop(kill=True)
                    continue
                w.item, w.started = (item, args), time.monotonic()
            busy = [w for w in pool if w.item is not None]
            if not busy:
                continue
            deadline = min(w.started for w in busy) + lim.file_seconds if lim.file_seconds else None
            timeout = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout))
            now = time.monotonic()
            for w in busy:
                (item, args), outcome = w.item, None
                if w.conn in ready or w.proc.sentinel in ready:
                    try:
                        outcome = w.conn.recv() if w.conn.poll() else None
                    except (EOFError, OSError):
                        outcome = None
                    if outcome is None:  # the worker died on this file
                        pool.remove(w)
                        w.proc.join(timeout=2.0)  # its pipe may close before it can be reaped
                        code = w.proc.exitcode
                        w.stop(kill=True)
                        deaths[id(item)] += 1
                        if code == -signal.SIGKILL:
                            outcome = KILLED
                        elif deaths[id(item)] < 2:  # a crash may be chance: once more
                            queue.appendleft((item, args))
                            continue
                        else:
                            outcome = CRASHED
                elif lim.file_seconds and now - w.started >= lim.file_seconds:
                    pool.remove(w)
                    w.stop(kill=True)
                    outcome = timed_out(lim)
                else:
                    continue
                w.item = None
                yield item, outcome
    finally:
        for w in pool:
            w.stop(kill=w.item is not None)

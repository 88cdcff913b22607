"""Worker processes that never outlive the process that started them.

Ingestion reads files and the briefings render in forked worker processes (the work is CPU-bound and
holds the GIL). A worker whose parent is killed with -9 would otherwise keep running, and keep files
or the warehouse open; `forked_pool` starts workers that the kernel ends with their parent.
"""

from __future__ import annotations

import ctypes
import multiprocessing as mp
import os
import signal
from concurrent.futures import ProcessPoolExecutor


def die_with_parent(parent: int) -> None:
    """Make this worker end when `parent` does, even killed with -9 (Linux's PR_SET_PDEATHSIG);
    elsewhere the executor's own shutdown has to do."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return
    libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    if os.getppid() != parent:  # the parent died before the line above: nobody waits for this worker
        os._exit(1)


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def forked_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of forked workers (they inherit the caller's module state) that die with this process.

    Not multiprocessing.Pool: when a worker dies, the executor raises BrokenProcessPool where
    Pool.imap would wait forever.
    """
    return ProcessPoolExecutor(
        workers, mp_context=mp.get_context("fork"), initializer=die_with_parent, initargs=(os.getpid(),)
    )

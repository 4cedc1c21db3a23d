"""Execute one notebook with papermill; kept tiny so parallel workers start fast.

Kernels talk to papermill over IPC sockets in a private temporary folder (not TCP on
localhost), so no port can clash between parallel kernels and the kernel has no reason to warn
that TCP traffic is unencrypted. The kernel's own stderr goes to a log file next to the
executed notebook instead of the console.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import sys
import tempfile
import time

import papermill as pm
from jupyter_client.manager import AsyncKernelManager


class IPCKernelManager(AsyncKernelManager):
    """A kernel manager using IPC transport; its sockets live in :attr:`socket_dir`."""

    socket_dir: str = tempfile.gettempdir()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.transport = "ipc"
        self.ip = os.path.join(self.socket_dir, "kernel")


@contextlib.contextmanager
def _stderr_to(path: str):
    """Send this process's stderr (fd 2, inherited by the kernel) to ``path`` for the block."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(path, "ab") as log:
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)


#: Environment variables that size the thread pools of numpy's BLAS and OpenMP in a kernel.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def execute_notebook(book: str, target: str, parameters: dict, kernel_name: str, cwd: str, threads: int | None = None) -> dict:
    """Execute one notebook; return status, seconds and, on failure, the failing cell.

    Runs in a worker process, so it returns plain data. The kernel's stderr is written to
    ``<target>.log``. ``threads`` caps the BLAS/OpenMP threads of the kernel (it inherits this
    process's environment) unless the user set them: two kernels on two cores that each start
    one BLAS thread per core oversubscribe the cores and spin; the results do not change.
    """
    logging.getLogger("papermill").setLevel(logging.ERROR)
    if threads:
        for name in THREAD_VARIABLES:
            os.environ.setdefault(name, str(threads))
    t0 = time.perf_counter()
    IPCKernelManager.socket_dir = tempfile.mkdtemp(prefix="decentraal-kernel-")
    try:
        with _stderr_to(target + ".log"):
            pm.execute_notebook(book, target, parameters=parameters, kernel_name=kernel_name, progress_bar=False,
                                cwd=cwd, kernel_manager_class=IPCKernelManager)
    except pm.PapermillExecutionError as exc:
        return {"status": "failed", "seconds": time.perf_counter() - t0, "cell_index": exc.cell_index,
                "exec_count": exc.exec_count, "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:  # kernel died, notebook unreadable, ...
        return {"status": "failed", "seconds": time.perf_counter() - t0, "cell_index": None,
                "exec_count": None, "ename": type(exc).__name__, "evalue": str(exc)}
    finally:
        shutil.rmtree(IPCKernelManager.socket_dir, ignore_errors=True)
    return {"status": "ok", "seconds": time.perf_counter() - t0}

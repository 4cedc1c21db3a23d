"""Execute one notebook with papermill; kept tiny so parallel workers start fast."""

from __future__ import annotations

import time

import papermill as pm


def execute_notebook(book: str, target: str, parameters: dict, kernel_name: str, cwd: str) -> dict:
    """Execute one notebook; return status, seconds and, on failure, the failing cell.

    Runs in a worker process when notebooks run in parallel, so it returns plain data.
    """
    t0 = time.perf_counter()
    try:
        pm.execute_notebook(book, target, parameters=parameters, kernel_name=kernel_name, progress_bar=False, cwd=cwd)
    except pm.PapermillExecutionError as exc:
        return {"status": "failed", "seconds": time.perf_counter() - t0, "cell_index": exc.cell_index,
                "exec_count": exc.exec_count, "ename": exc.ename, "evalue": exc.evalue}
    except Exception as exc:  # kernel died, notebook unreadable, ...
        return {"status": "failed", "seconds": time.perf_counter() - t0, "cell_index": None,
                "exec_count": None, "ename": type(exc).__name__, "evalue": str(exc)}
    return {"status": "ok", "seconds": time.perf_counter() - t0}

"""Benchmark of ``decentraal run``: ``python -m decentraal.run.bench`` (``make bench``).

Measures three things and writes ``outputs/bench.json`` (atomically) plus a short table:

floor
    Starting a kernel and running one cell that imports the heavy packages
    (``decentraal, geopandas, pandas, folium, esda, spopt, statsmodels, matplotlib``) with
    papermill on a tiny generated notebook, no analysis. A run cannot be faster than
    ``number of notebooks x floor``.
cold
    A full default run (``configs/haarlem.yaml``) with fresh kernels and ``data/processed/``
    removed first, so the processed layers are rebuilt from ``data/raw/``. The existing
    ``data/processed/`` is moved aside and restored if anything fails (it is rebuildable, but
    never lost); after a successful run any file that was not rebuilt (``README.md``) is put back.
warm
    The same run again with ``data/processed/`` present.

Runs go to temporary output folders, so benchmarks leave no run folders in ``outputs/``; only
``outputs/bench.json`` is written there.

Target: a warm run within 1.5x the floor and under 60 s on 2 cores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from decentraal import io
from decentraal.config import CONFIGS_DIR, DATA_DIR, OUTPUTS_DIR, PROCESSED_DIR

#: Warm run at most this many times the floor (number of notebooks x floor per notebook) ...
TARGET_WARM_OVER_FLOOR = 1.5
#: ... and under this many seconds on 2 cores.
TARGET_WARM_SECONDS = 60.0
FLOOR_IMPORTS = "import decentraal, geopandas, pandas, folium, esda, spopt, statsmodels, matplotlib"
BENCH_FILE = OUTPUTS_DIR / "bench.json"


def _peak_rss_mb(who: int) -> float:
    """Peak resident set size in MB (``ru_maxrss`` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(who).ru_maxrss
    return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)


def measure_floor(repeats: int = 3, kernel_name: str = "python3") -> dict[str, Any]:
    """Seconds to start a kernel and import the heavy packages via papermill (median of ``repeats``)."""
    import nbformat
    import papermill as pm
    from nbformat.v4 import new_code_cell, new_notebook

    from decentraal.run._worker import IPCKernelManager  # the transport real runs use

    runs = []
    with tempfile.TemporaryDirectory(prefix="decentraal-bench-") as tmp:
        source = Path(tmp) / "floor.ipynb"
        nb = new_notebook(cells=[new_code_cell(FLOOR_IMPORTS)])
        nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, source)
        for i in range(repeats):
            t0 = time.perf_counter()
            pm.execute_notebook(str(source), str(Path(tmp) / f"floor_{i}.ipynb"), kernel_name=kernel_name,
                                progress_bar=False, cwd=tmp, kernel_manager_class=IPCKernelManager)
            runs.append(round(time.perf_counter() - t0, 2))
    return {"seconds_per_notebook": round(statistics.median(runs), 2), "runs": runs, "cell": FLOOR_IMPORTS}


def slowest_cells(run_dir: Path, n: int = 5) -> list[dict[str, Any]]:
    """The ``n`` slowest code cells of a run (papermill records each cell's duration)."""
    import nbformat

    cells = []
    for book in sorted((run_dir / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(book, as_version=4)
        for i, cell in enumerate(nb.cells, 1):
            seconds = cell.get("metadata", {}).get("papermill", {}).get("duration")
            if cell.cell_type == "code" and seconds is not None:
                first = next((line for line in cell.source.splitlines() if line.strip() and not line.startswith("#")), "")
                cells.append({"notebook": book.name, "cell": i, "seconds": round(seconds, 2), "code": first[:80]})
    return sorted(cells, key=lambda c: -c["seconds"])[:n]


def step_seconds(run_dir: Path) -> dict[str, float]:
    """Seconds per method step as recorded by the chapters (``tables/NN_rekentijd.csv``: stap, seconden)."""
    steps: dict[str, float] = {}
    for table in sorted((run_dir / "tables").glob("*_rekentijd.csv")):
        frame = io.read_table(table)
        steps.update({f"{table.name[:2]} {row.stap}": round(float(row.seconden), 2) for row in frame.itertuples()})
    return steps


def _timed_run(params, outputs: Path, *, seconds_before: float = 0.0) -> dict[str, Any]:
    from decentraal.pipeline import data as processed
    from decentraal.run import runner

    current = processed.store.is_current()
    t0 = time.perf_counter()
    result = runner.run(params, outputs=outputs, progress=lambda _msg: None)
    wall = time.perf_counter() - t0 + seconds_before
    per_notebook = {e["notebook"]: e["seconds"] for e in result.manifest["notebooks"]}
    # notebooks may run in parallel: the notebook phase is its wall time, not the sum
    phase = result.manifest.get("seconds_notebooks_wall", sum(per_notebook.values()))
    return {
        "seconds_total": round(wall, 2),
        "notebooks": per_notebook,
        "seconds_notebooks": round(phase, 2),
        "seconds_other": round(wall - phase, 2),  # data/processed build or check, HTML, Excel
        "jobs": result.manifest.get("jobs"),
        "processed_current_at_start": current,
        "slowest_cells": slowest_cells(result.run_dir),
        "steps": step_seconds(result.run_dir),
        "run_id": result.run_id,
    }


def cold_run(params, outputs: Path) -> dict[str, Any]:
    """A full run after moving ``data/processed/`` aside; restores it if the run fails."""
    aside_root = Path(tempfile.mkdtemp(prefix=".processed-bench-", dir=DATA_DIR))  # same file system: rename is atomic
    aside = aside_root / "processed"
    had_processed = PROCESSED_DIR.exists()
    if had_processed:
        os.rename(PROCESSED_DIR, aside)
    try:
        from decentraal.pipeline import data as processed

        t0 = time.perf_counter()
        processed.ensure_processed()  # what runner.run does first; timed on its own here
        build = time.perf_counter() - t0
        result = _timed_run(params, outputs, seconds_before=build)
        result["seconds_build_processed"] = round(build, 2)
    except BaseException:
        if had_processed:
            if PROCESSED_DIR.exists():
                shutil.rmtree(PROCESSED_DIR)
            os.rename(aside, PROCESSED_DIR)
            shutil.rmtree(aside_root, ignore_errors=True)
        print(f"cold run failed; data/processed restored from {aside}" if had_processed else "cold run failed", file=sys.stderr)
        raise
    if had_processed:  # put back what the build does not write (README.md, anything else of the user's)
        for old in sorted(aside.rglob("*")):
            new = PROCESSED_DIR / old.relative_to(aside)
            if old.is_file() and not new.exists():
                new.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(old, new)
        shutil.rmtree(aside_root)
    return result


def bench(config: Path, *, floor_repeats: int = 3, cold: bool = True) -> dict[str, Any]:
    from decentraal.io.configs import load_config
    from decentraal.run import runner

    params = load_config(config)
    n_books = len(runner.notebooks())
    result: dict[str, Any] = {
        "created": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "config": str(config),
        "cores": os.cpu_count(),
        "cores_available": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "code_version": io.code_version(),
        "target": {"warm_over_floor_max": TARGET_WARM_OVER_FLOOR, "warm_seconds_max": TARGET_WARM_SECONDS},
    }
    print(f"floor: kernel start + imports, {floor_repeats}x ...", flush=True)
    floor = measure_floor(floor_repeats)
    floor.update(notebooks=n_books, seconds=round(n_books * floor["seconds_per_notebook"], 2))
    result["floor"] = floor
    with tempfile.TemporaryDirectory(prefix="decentraal-bench-runs-") as tmp:
        if cold:
            print("cold run (data/processed rebuilt) ...", flush=True)
            result["cold"] = cold_run(params, Path(tmp) / "cold")
        print("warm run ...", flush=True)
        result["warm"] = _timed_run(params, Path(tmp) / "warm")
    warm = result["warm"]["seconds_total"]
    ratio = warm / floor["seconds"] if floor["seconds"] else None
    result["ratio_warm_over_floor"] = round(ratio, 2) if ratio is not None else None
    result["meets_target"] = {
        "warm_over_floor": ratio is not None and ratio <= TARGET_WARM_OVER_FLOOR,
        "warm_seconds": warm < TARGET_WARM_SECONDS,
    }
    result["peak_rss_mb"] = {"largest_child": _peak_rss_mb(resource.RUSAGE_CHILDREN), "bench_process": _peak_rss_mb(resource.RUSAGE_SELF)}
    return result


def table(result: dict[str, Any]) -> str:
    """A short plain-text summary of a benchmark result."""
    floor = result["floor"]
    runs = [name for name in ("cold", "warm") if name in result]
    books = sorted({b for name in runs for b in result[name]["notebooks"]})
    width = max([len(b) for b in books] + [28])
    lines = [f"{'':{width}} " + " ".join(f"{name:>8}" for name in runs) + f" {'floor':>8}"]
    for book in books:
        lines.append(f"{book:{width}} " + " ".join(f"{result[n]['notebooks'].get(book, float('nan')):8.1f}" for n in runs)
                     + f" {floor['seconds_per_notebook']:8.1f}")
    lines.append(f"{'notebook phase (wall, parallel)':{width}} " + " ".join(f"{result[n]['seconds_notebooks']:8.1f}" for n in runs) + f" {'':>8}")
    lines.append(f"{'other (data, HTML, Excel)':{width}} " + " ".join(f"{result[n]['seconds_other']:8.1f}" for n in runs) + f" {'':>8}")
    if "cold" in result:
        lines.append(f"{'  of which build data/processed':{width}} {result['cold']['seconds_build_processed']:8.1f}")
    lines.append(f"{'total':{width}} " + " ".join(f"{result[n]['seconds_total']:8.1f}" for n in runs) + f" {floor['seconds']:8.1f}")
    ok = result["meets_target"]
    lines.append(
        f"warm/floor = {result['ratio_warm_over_floor']} (target <= {TARGET_WARM_OVER_FLOOR}: {'ok' if ok['warm_over_floor'] else 'MISSED'}); "
        f"warm {result['warm']['seconds_total']:.1f} s (target < {TARGET_WARM_SECONDS:.0f} s: {'ok' if ok['warm_seconds'] else 'MISSED'}); "
        f"{result['cores_available']} cores; peak RSS child {result['peak_rss_mb']['largest_child']} MB"
    )
    if result["warm"].get("steps"):
        lines.append("method steps (warm): " + "; ".join(f"{k} {v:.1f} s" for k, v in result["warm"]["steps"].items()))
    lines.append("slowest cells (warm): " + "; ".join(
        f"{c['notebook'][:2]} cell {c['cell']} {c['seconds']:.1f} s ({c['code']})" for c in result["warm"]["slowest_cells"][:3]))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m decentraal.run.bench", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, default=CONFIGS_DIR / "haarlem.yaml", help="config to time (default: configs/haarlem.yaml)")
    parser.add_argument("--floor-repeats", type=int, default=3, help="kernel start + import runs for the floor (median)")
    parser.add_argument("--no-cold", action="store_true", help="skip the cold run (keeps data/processed in place)")
    parser.add_argument("--output", type=Path, default=BENCH_FILE, help="where to write the JSON (default: outputs/bench.json)")
    args = parser.parse_args(argv)
    result = bench(args.config, floor_repeats=args.floor_repeats, cold=not args.no_cold)
    io.write_json(result, args.output)
    print(table(result))
    print(f"written: {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

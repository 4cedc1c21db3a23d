"""Run the notebooks in order with papermill into ``outputs/<run_id>/`` and render the reports.

A run never overwrites an earlier one (each gets a fresh folder), and ``outputs/latest`` is
moved to the new run only when every notebook and every report succeeded. A failing notebook
stops the run with a message naming notebook and cell; the partially executed notebook stays
in the run folder for debugging and ``manifest.json`` records the failure.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import multiprocessing
import os
import platform
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import papermill as pm

from decentraal import io
from decentraal.config import NOTEBOOKS_DIR, OUTPUTS_DIR, RAW_DIR
from decentraal.errors import DecentraalError
from decentraal.io.outputs import SUBDIRS
from decentraal.pipeline import data as processed
from decentraal.report import html as report
from decentraal.run._worker import execute_notebook
from decentraal.settings import RunParameters

KEY_PACKAGES = ("pandas", "geopandas", "shapely", "pyogrio", "numpy", "statsmodels", "esda", "libpysal", "spopt", "mapclassify", "folium", "papermill", "nbconvert")

#: One-line Dutch description per notebook for the index page.
DESCRIPTIONS = {
    "01": "Gegevens: bronnen, jaargangen, dekking, koppelrapport en inwoners per gebied",
    "02": "Belemmeringen: indicatoren, samengestelde index, stabiliteit van de rangorde en hotspots",
    "03": "Vraag en loketten: bezoeken, locatiekeuze, balies voor de wachtnorm en kosten",
}


class RunFailed(DecentraalError, RuntimeError):
    """A notebook failed; the message names notebook, cell and the kept partial notebook."""


@dataclass(frozen=True)
class RunResult:
    run_id: str
    run_dir: Path
    manifest: dict


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` in run order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def new_run_dir(params: RunParameters, outputs: Path = OUTPUTS_DIR, now: dt.datetime | None = None) -> tuple[str, Path]:
    """A fresh, unique run folder ``<YYYYmmdd-HHMMSS>_<config name>[_n]``."""
    now = now or dt.datetime.now()
    base = f"{now:%Y%m%d-%H%M%S}_{params.naam}"
    run_id, n = base, 1
    while (outputs / run_id).exists():
        n += 1
        run_id = f"{base}_{n}"
    run_dir = outputs / run_id
    for sub in SUBDIRS:
        (run_dir / sub).mkdir(parents=True, exist_ok=True)
    return run_id, run_dir


def notebook_parameters(notebook: Path, params: RunParameters, run_dir: Path) -> dict:
    """The subset of run parameters that the notebook declares, plus its output folder."""
    declared = pm.inspect_notebook(str(notebook))
    values = {**params.model_dump(), "uitvoer_map": str(run_dir)}
    return {k: v for k, v in values.items() if k in declared}


def default_jobs() -> int:
    """Notebooks run at the same time by default: one per core, at most two."""
    return max(1, min(2, os.cpu_count() or 1))


def source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based number of a failing cell in the source notebook (papermill's injected cell not counted)."""
    import nbformat

    nb = nbformat.read(executed, as_version=4)
    # papermill puts an error banner cell on top of the saved notebook; cell_index predates it
    cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.get("metadata", {}).get("tags", [])]
    injected = sum(1 for c in cells[:cell_index] if "injected-parameters" in c.get("metadata", {}).get("tags", []))
    return cell_index + 1 - injected


def package_versions() -> dict[str, str]:
    out = {}
    for name in KEY_PACKAGES:
        try:
            out[name] = md.version(name)
        except md.PackageNotFoundError:
            out[name] = "not installed"
    return out


def point_latest(outputs: Path, run_id: str) -> None:
    """Atomically point ``outputs/latest`` at ``run_id`` (a relative symlink)."""
    tmp = outputs / f".latest-{os.getpid()}"
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(run_id, target_is_directory=True)
    os.replace(tmp, outputs / "latest")


def run(
    params: RunParameters,
    *,
    outputs: Path = OUTPUTS_DIR,
    notebook_dir: Path = NOTEBOOKS_DIR,
    only: list[str] | None = None,
    progress: Callable[[str], None] = print,
    kernel_name: str = "python3",
    jobs: int | None = None,
) -> RunResult:
    """Execute every notebook, export the reports and tables, write the manifest.

    Parameters
    ----------
    params
        Validated run parameters (see :func:`decentraal.io.configs.load_config`).
    only
        Optional notebook prefixes (e.g. ``["01"]``) to run a subset.
    jobs
        Notebooks executed at the same time (default :func:`default_jobs`). The notebooks are
        independent, so the order only matters for ``jobs=1``, which stops at the first failure;
        in parallel, a notebook already started still finishes. Either way the first failing
        notebook in run order is reported.

    Raises
    ------
    RunFailed
        When a notebook fails; ``outputs/latest`` is left where it was.
    """
    start = dt.datetime.now().astimezone()
    progress("Preparing data/processed ...")
    processed.ensure_processed()
    run_id, run_dir = new_run_dir(params, outputs)
    books = [nb for nb in notebooks(notebook_dir) if not only or nb.name[:2] in only]
    manifest = {
        "run_id": run_id,
        "status": "running",
        "start": start.isoformat(timespec="seconds"),
        "end": None,
        "parameters": params.model_dump(),
        "inputs": {f"data/raw/{k}": v for k, v in io.raw_checksums(raw_dir=RAW_DIR).items()},
        "code_version": io.code_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "notebooks": [],
        "outputs": [],
    }
    progress(f"Run {run_id} -> {run_dir}")
    jobs = max(1, min(jobs or default_jobs(), len(books)))
    tasks = [
        (str(book), str(run_dir / "notebooks" / book.name), notebook_parameters(book, params, run_dir), kernel_name, str(notebook_dir))
        for book in books
    ]
    results: dict[str, dict] = {}
    phase_start = time.perf_counter()
    if jobs == 1:
        for i, (book, task) in enumerate(zip(books, tasks), 1):
            progress(f"[{i}/{len(books)}] {book.name} ...")
            results[book.name] = execute_notebook(*task)
            progress(f"[{i}/{len(books)}] {book.name} {results[book.name]['status']} in {results[book.name]['seconds']:.1f} s")
            if results[book.name]["status"] != "ok":
                break
    else:
        progress(f"Running {len(books)} notebooks, {jobs} at a time (they are independent; each reads data/processed)")
        # forkserver: workers fork from a small clean server that has papermill preloaded,
        # so they start fast and never inherit this process's kernels or ZeroMQ sockets
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["decentraal.run._worker"])
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
            futures = {pool.submit(execute_notebook, *task): book for book, task in zip(books, tasks)}
            for future in as_completed(futures):
                book = futures[future]
                results[book.name] = future.result()
                progress(f"[{len(results)}/{len(books)}] {book.name} {results[book.name]['status']} in {results[book.name]['seconds']:.1f} s")
    manifest["jobs"] = jobs
    manifest["seconds_notebooks_wall"] = round(time.perf_counter() - phase_start, 2)
    for book in books:
        if book.name in results:
            res = results[book.name]
            manifest["notebooks"].append({"notebook": book.name, "seconds": round(res["seconds"], 2), "status": res["status"]})
    failed = [book for book in books if results.get(book.name, {}).get("status") == "failed"]
    if failed:
        book, res = failed[0], results[failed[0].name]
        target = run_dir / "notebooks" / book.name
        cell = source_cell_number(target, res["cell_index"]) if res["cell_index"] is not None and target.exists() else "?"
        manifest.update(status="failed", end=dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                        error=f"{book.name}, cell {cell}: {res['ename']}: {res['evalue']}")
        io.write_json(manifest, run_dir / "manifest.json")
        raise RunFailed(
            f"notebook {book.name} failed in cell {cell} (execution count {res['exec_count']}): "
            f"{res['ename']}: {res['evalue']}\nThe partly executed notebook is kept at {target}; "
            f"outputs/latest still points at the previous successful run."
        )

    progress("Rendering HTML reports ...")
    pages = []
    for book in books:
        title = book.stem.split("_", 1)[1].replace("_", " ").capitalize()
        page = run_dir / "report" / f"{book.stem}.html"
        io.write_text(report.committee_page(io.files.read_notebook(run_dir / "notebooks" / book.name), title=title), page)
        pages.append((page.name, title, DESCRIPTIONS.get(book.name[:2], "")))
    io.write_text(
        report.index_html(pages, title=f"Decentrale dienstverlening: {params.naam.capitalize()}", params=params.model_dump(), run_id=run_id),
        run_dir / "report" / "index.html",
    )
    tables = sorted((run_dir / "tables").glob("*.csv"))
    if tables:
        import pandas as pd

        io.write_excel({t.stem: pd.read_csv(t) for t in tables}, run_dir / "tables" / f"{run_id}.xlsx")
    end = dt.datetime.now().astimezone()
    manifest.update(status="ok", end=end.isoformat(timespec="seconds"), seconds_total=round((end - start).total_seconds(), 2))
    manifest["outputs"] = sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file())
    manifest["outputs"].append("manifest.json")
    io.write_json(manifest, run_dir / "manifest.json")
    point_latest(outputs, run_id)
    progress(f"Done. Report: {run_dir / 'report' / 'index.html'}")
    return RunResult(run_id, run_dir, manifest)


"""Run the notebooks with papermill into ``outputs/<run_id>/`` and render the reports.

What a run guarantees:

* everything that can be checked is checked before anything is written: parameters, the
  ``--only`` selection, the outputs folder, ``outputs/latest``, and the real checksums of the
  raw data (``data/processed`` is rebuilt when it was built from other bytes);
* each run gets a folder of its own, created atomically (``mkdir`` fails if it exists, so two
  runs started in the same second never share one), and never overwrites an earlier run;
* ``manifest.json`` is written when the run starts (status ``running``) and ends as ``ok`` or
  ``failed`` whatever goes wrong: a failing notebook, a report that cannot be rendered, a full
  disk, Ctrl-C or SIGTERM (then every kernel and worker is stopped first);
* ``outputs/latest`` moves to the new run only after everything succeeded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import importlib.metadata as md
import json
import multiprocessing
import os
import platform
import signal
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

import papermill as pm

from decentraal import io
from decentraal.config import NOTEBOOKS_DIR, OUTPUTS_DIR, RAW_DIR
from decentraal.errors import DecentraalError, ParameterError
from decentraal.io import pdf
from decentraal.io import summary as run_summary
from decentraal.io.outputs import SUBDIRS
from decentraal.io.registry import verified_checksums
from decentraal.pipeline import data as processed
from decentraal.report import front
from decentraal.report import html as report
from decentraal.run._worker import execute_notebook
from decentraal.settings import RunParameters

KEY_PACKAGES = ("pandas", "geopandas", "shapely", "pyogrio", "numpy", "statsmodels", "esda", "libpysal", "spopt",
                "mapclassify", "folium", "papermill", "nbconvert", "babel")

#: One-line Dutch description per notebook for the index page.
DESCRIPTIONS = {
    "01": "Gegevens: bronnen, jaargangen, dekking, koppelrapport en inwoners per gebied",
    "02": "Belemmeringen: indicatoren, samengestelde index, stabiliteit van de rangorde en hotspots",
    "03": "Vraag en loketten: bezoeken, locatiekeuze, balies voor de wachtnorm en kosten",
    "04": "Servicenormen van het klantcontactcentrum: balie, telefoon en e-mail in Haarlem en Zandvoort, door de piek heen",
}


#: Relative cost of each notebook (seconds of a warm default run, ``make bench``). With more notebooks
#: than workers they are started longest first, so the workers finish at about the same time instead
#: of the longest notebook starting last; the last successful run's seconds in the same outputs folder
#: take precedence, unknown notebooks count as the mean.
COST_HINT = {"01": 8.0, "02": 11.0, "03": 14.0, "04": 13.0}


class RunFailed(DecentraalError, RuntimeError):
    """A run failed; the message names what failed (notebook and cell, or the step) and what was kept."""


class RunInterrupted(RunFailed):
    """The run was stopped by Ctrl-C or SIGTERM; kernels were stopped and the run marked failed."""


@dataclass(frozen=True)
class RunResult:
    run_id: str
    run_dir: Path
    manifest: dict


def notebooks(folder: Path = NOTEBOOKS_DIR) -> list[Path]:
    """The numbered notebooks ``NN_*.ipynb`` in run order."""
    return sorted(p for p in folder.glob("[0-9][0-9]_*.ipynb"))


def select_notebooks(books: list[Path], only: list[str] | None) -> list[Path]:
    """The notebooks whose two-digit prefix is in ``only`` (all when empty); unknown prefixes are refused."""
    if not only:
        return books
    prefixes = {b.name[:2] for b in books}
    unknown = [o for o in only if o not in prefixes]
    if unknown:
        raise ParameterError(
            f"--only {', '.join(unknown)} names no notebook; valid: {', '.join(sorted(prefixes))} "
            f"({', '.join(b.name for b in books)})"
        )
    return [b for b in books if b.name[:2] in only]


def check_outputs(outputs: Path) -> None:
    """Refuse an outputs folder that is a file, cannot be written, or whose ``latest`` is not a link."""
    if outputs.exists() and not outputs.is_dir():
        raise ParameterError(f"--outputs {outputs} is a file; give a folder (it is created when missing)")
    try:
        outputs.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ParameterError(f"cannot create the outputs folder {outputs} ({exc.strerror}); choose another with --outputs") from None
    if not os.access(outputs, os.W_OK | os.X_OK):
        raise ParameterError(f"the outputs folder {outputs} is not writable; fix its permissions or choose another with --outputs")
    latest = outputs / "latest"
    if latest.exists() and not latest.is_symlink():
        raise ParameterError(
            f"{latest} is a real {'folder' if latest.is_dir() else 'file'}, not the link decentraal keeps to the last "
            "good run; rename or remove it, then run again"
        )


def new_run_dir(params: RunParameters, outputs: Path = OUTPUTS_DIR, now: dt.datetime | None = None) -> tuple[str, Path]:
    """A fresh run folder ``<YYYYmmdd-HHMMSS>_<config name>[_n]``, created atomically.

    ``mkdir`` without ``exist_ok`` either creates the folder or fails because another run got
    it first; then the next suffix is tried, so two runs never share a folder.
    """
    now = now or dt.datetime.now()
    base = f"{now:%Y%m%d-%H%M%S}_{params.naam}"
    for n in range(1, 1000):
        run_id = base if n == 1 else f"{base}_{n}"
        run_dir = outputs / run_id
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        for sub in SUBDIRS:
            (run_dir / sub).mkdir()
        return run_id, run_dir
    raise RunFailed(f"could not create a run folder {base}_N in {outputs}: 999 already exist")


def notebook_parameters(notebook: Path, params: RunParameters, run_dir: Path) -> dict:
    """The subset of run parameters that the notebook declares, plus its output folder."""
    declared = pm.inspect_notebook(str(notebook))
    values = {**params.model_dump(), "uitvoer_map": str(run_dir)}
    return {k: v for k, v in values.items() if k in declared}


def default_jobs() -> int:
    """Notebooks run at the same time by default: one per core, at most two."""
    return max(1, min(2, os.cpu_count() or 1))


def longest_first(books: list[Path], outputs: Path | None = None) -> list[Path]:
    """``books`` in the order a parallel run starts them: longest first (stable), by the seconds of the last
    successful run in ``outputs`` (``latest/manifest.json``) or else :data:`COST_HINT`."""
    cost = {k: v for k, v in COST_HINT.items()}
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        last = json.loads((Path(outputs) / "latest" / "manifest.json").read_text(encoding="utf-8")) if outputs else {}
        cost.update({e["notebook"][:2]: float(e["seconds"]) for e in last.get("notebooks", []) if e.get("status") == "ok"})
    mean = sum(cost.values()) / len(cost)
    return sorted(books, key=lambda b: -cost.get(b.name[:2], mean))


def kernel_threads(jobs: int) -> int:
    """BLAS threads per kernel: the cores shared by the notebooks that run at the same time."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, cores // max(1, jobs))


def source_cell_number(executed: Path, cell_index: int) -> int:
    """1-based number of a failing cell in the source notebook (papermill's injected cell not counted)."""
    nb = io.files.read_notebook(executed)
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


def _now() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt in this (main) thread, so both stop a run the same way."""
    def handler(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_children(timeout: float = 5.0) -> int:
    """Terminate every descendant process (workers and their kernels); return how many there were."""
    import psutil

    children = psutil.Process().children(recursive=True)
    for child in children:
        with contextlib.suppress(psutil.Error):
            child.terminate()
    _, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        with contextlib.suppress(psutil.Error):
            child.kill()
    return len(children)


def _execute(books: list[Path], tasks: list[tuple], jobs: int, progress: Callable[[str], None],
             done: Callable[[Path, dict], None] | None = None, outputs: Path | None = None) -> dict[str, dict]:
    """Run the notebooks in worker processes (forkserver: small, clean, papermill preloaded).

    ``done(book, result)`` is called in this process as each notebook finishes, while the others run.
    """
    results: dict[str, dict] = {}
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["decentraal.run._worker"])
    pool = ProcessPoolExecutor(max_workers=jobs, mp_context=context)
    try:
        if jobs == 1:  # strictly in order, stop at the first failure
            for i, (book, task) in enumerate(zip(books, tasks), 1):
                results[book.name] = pool.submit(execute_notebook, *task).result()
                res = results[book.name]
                progress(f"[{i}/{len(books)}] {book.name} {res['status']} in {res['seconds']:.1f} s")
                if res["status"] != "ok":
                    break
                if done:
                    done(book, res)
        else:
            order = {book: task for book, task in zip(books, tasks)}
            futures = {pool.submit(execute_notebook, *order[book]): book for book in longest_first(books, outputs)}
            for future in as_completed(futures):
                book = futures[future]
                results[book.name] = future.result()
                res = results[book.name]
                progress(f"[{len(results)}/{len(books)}] {book.name} {res['status']} in {res['seconds']:.1f} s")
                if done and res["status"] == "ok":
                    done(book, res)
    except BaseException:
        # stop workers and their kernels first: a plain shutdown would wait for running notebooks
        stop_children()
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return results


def page_title(book: Path) -> str:
    """Title of a chapter's committee page: ``02_belemmeringen_in_kaart`` -> "Belemmeringen in kaart"."""
    return book.stem.split("_", 1)[1].replace("_", " ").capitalize()


def _render_page(run_dir: Path, book: Path, printer: pdf.Printer | None) -> list[Path]:
    """Export a finished notebook's committee page at once and start printing it (the other notebooks still run).

    Returns the page written (none when it could not be rendered here: the report step renders it
    again and reports why).
    """
    page = run_dir / "report" / f"{book.stem}.html"
    try:
        io.write_text(report.committee_page(io.files.read_notebook(run_dir / "notebooks" / book.name), title=page_title(book)), page)
    except Exception:
        page.unlink(missing_ok=True)
        return []
    if printer is not None:
        printer.submit(page)
    return [page]


def _write_excel(run_dir: Path, run_id: str) -> None:
    """All tables of the run in one workbook ``tables/<run_id>.xlsx`` (none without tables)."""
    tables = sorted((run_dir / "tables").glob("*.csv"))
    if tables:
        io.write_excel({t.stem: io.read_table(t) for t in tables}, run_dir / "tables" / f"{run_id}.xlsx")


def _in_background(fn: Callable[..., None], *args) -> Future:
    """Run ``fn(*args)`` in a thread (e.g. the workbook while Chromium prints the pages)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decentraal-report")
    try:
        return pool.submit(fn, *args)
    finally:
        pool.shutdown(wait=False)


def _settle(future: Future | None) -> None:
    """Wait for a background step before the manifest lists the outputs (its error is reported elsewhere)."""
    if future is not None:
        with contextlib.suppress(BaseException):
            future.result()


def _drop(pages: list[Path]) -> None:
    """Remove pages exported early when the run fails before its report step (a failed run renders no reports)."""
    for page in pages:
        page.unlink(missing_ok=True)
    pages.clear()


def _print_report(run_dir: Path, pages: list[Path], *, name: str, progress: Callable[[str], None],
                  printer: pdf.Printer | None = None) -> str:
    """Print the committee report to one A4 PDF when a Chromium is available; say what happened."""
    if pdf.browser() is None:
        progress("No PDF: no Chromium on this machine (make browser installs it)")
        return "overgeslagen: geen Chromium gevonden (make browser installeert het)"
    progress("Printing the A4 PDF ...")
    target = pdf.print_pdf(pages, run_dir / "report" / name, printer=printer)
    return str(target.relative_to(run_dir))


def _failure_message(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return f"the disk is full ({exc.filename or 'writing outputs'}); free space and run again"
    if isinstance(exc, OSError):
        return f"could not write {exc.filename or 'an output'} ({exc.strerror or exc}); check the disk and permissions"
    return f"{type(exc).__name__}: {exc}"


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
    """Execute the notebooks, export the reports and tables, write the manifest.

    Parameters
    ----------
    params
        Validated run parameters (see :func:`decentraal.io.configs.load_config`).
    only
        Optional notebook prefixes (e.g. ``["01"]``) to run a subset; unknown ones are refused.
    jobs
        Notebooks executed at the same time (default :func:`default_jobs`). The notebooks are
        independent; ``jobs=1`` runs them strictly in order and stops at the first failure.

    Raises
    ------
    ParameterError
        Before anything is written: unknown ``only``, unusable outputs folder, ``latest`` not a link.
    DataError
        Before anything is written: raw data that do not match the registry.
    RunFailed
        When anything fails after the run folder exists; its manifest then says ``failed`` and
        ``outputs/latest`` is left where it was. :class:`RunInterrupted` for Ctrl-C / SIGTERM.
    """
    start = dt.datetime.now().astimezone()
    books = select_notebooks(notebooks(notebook_dir), only)
    outputs = Path(outputs)
    check_outputs(outputs)
    inputs = verified_checksums(RAW_DIR)
    progress("Preparing data/processed ...")
    processed.ensure_processed()
    run_id, run_dir = new_run_dir(params, outputs)
    manifest = {
        "run_id": run_id,
        "status": "running",
        "start": start.isoformat(timespec="seconds"),
        "end": None,
        "parameters": params.model_dump(),
        "inputs": {f"data/raw/{k}": v for k, v in inputs.items()},
        "code_version": io.code_version(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "packages": package_versions(),
        "notebooks": [],
        "outputs": [],
    }

    def finish(status: str, **extra) -> None:
        manifest.update(status=status, end=_now(), seconds_total=round(time.monotonic() - t_start, 2), **extra)
        manifest["outputs"] = sorted(str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file() and p.name != "manifest.json")
        manifest["outputs"].append("manifest.json")
        io.write_json(manifest, run_dir / "manifest.json")

    t_start = time.monotonic()
    # one Chromium prints every page, each chapter as soon as its notebook is done (started with the first page)
    printer = pdf.Printer() if pdf.browser() is not None else None
    early: list[Path] = []  # chapter pages exported while other notebooks ran
    excel: Future | None = None
    with _sigterm_as_interrupt():
        try:
            io.write_json(manifest, run_dir / "manifest.json")
            progress(f"Run {run_id} -> {run_dir}")
            jobs = max(1, min(jobs or default_jobs(), len(books)))
            tasks = [
                (str(book), str(run_dir / "notebooks" / book.name), notebook_parameters(book, params, run_dir),
                 kernel_name, str(notebook_dir), kernel_threads(jobs))
                for book in books
            ]
            # the appendices that do not depend on the results are written and printed while the notebooks run
            from decentraal.report import pages as appendix
            for name, text in ((appendix.GLOSSARY_FILE, appendix.glossary_page()),
                               (appendix.ACCESSIBILITY_FILE, appendix.accessibility_page())):
                early.append(io.write_text(text, run_dir / "report" / name))
                if printer is not None:
                    printer.submit(early[-1])
            phase_start = time.perf_counter()
            results = _execute(books, tasks, jobs, progress, done=lambda book, _res: early.extend(_render_page(run_dir, book, printer)),
                               outputs=outputs)
            manifest["jobs"] = jobs
            manifest["seconds_notebooks_wall"] = round(time.perf_counter() - phase_start, 2)
            manifest["notebooks"] = [
                {"notebook": b.name, "seconds": round(results[b.name]["seconds"], 2), "status": results[b.name]["status"]}
                for b in books if b.name in results
            ]
            failed = [book for book in books if results.get(book.name, {}).get("status") == "failed"]
            if failed:
                book, res = failed[0], results[failed[0].name]
                target = run_dir / "notebooks" / book.name
                cell = source_cell_number(target, res["cell_index"]) if res["cell_index"] is not None and target.exists() else "?"
                error = f"{book.name}, cell {cell}: {res['ename']}: {res['evalue']}"
                _drop(early)
                finish("failed", error=error)
                raise RunFailed(
                    f"notebook {book.name} failed in cell {cell} (execution count {res['exec_count']}): "
                    f"{res['ename']}: {res['evalue']}\nThe partly executed notebook is kept at {target}; "
                    f"outputs/latest still points at the previous successful run."
                )
            early.clear()  # the report step owns the exported pages from here
            excel = _in_background(_write_excel, run_dir, run_id)  # the tables are complete
            progress("Rendering HTML reports ...")
            pages = []
            for book in books:
                title = page_title(book)
                page = run_dir / "report" / f"{book.stem}.html"
                if not page.exists():  # normally rendered as soon as its notebook finished (_render_page)
                    io.write_text(report.committee_page(io.files.read_notebook(run_dir / "notebooks" / book.name), title=title), page)
                pages.append((page.name, title, DESCRIPTIONS.get(book.name[:2], "")))
            title = f"Decentrale dienstverlening: {params.gemeentenaam}"
            summary = run_summary.write(run_dir, run_id, required=not only)
            from decentraal.io.configs import base_entries
            from decentraal.report import pages as own

            sobol = run_dir / "tables" / "03_gevoeligheid_aannames.csv"
            info = own.RunInfo(
                run_id=run_id, date=start, code_version=manifest["code_version"], municipality=params.gemeentenaam,
                sources=[{"bestand": k, "bron": v["attribution"], "jaar": v["year"]} for k, v in sorted(io.load_registry().items())],
                parameters=params.model_dump(), base=base_entries(),
                sensitivity=io.read_table(sobol).to_dict("records") if sobol.exists() else (),
                contact=getattr(params, "contact", None) or None,
            )
            level = ((summary or {}).get("hoogste_belemmering") or [{}])[0].get("niveau", params.niveau)
            maps_found = [run_dir / "figures" / f"02_index_{level}.png", *sorted((run_dir / "figures").glob("02_index_*.png"))]
            headline = next((m.read_bytes() for m in maps_found if m.exists()), None)
            index = (front.front_page(summary, pages, title=title, info=info, headline_png=headline) if summary
                     else report.index_html(pages, title=title, params=params.model_dump(), run_id=run_id))
            io.write_text(index, run_dir / "report" / "index.html")
            appendices = {own.GLOSSARY_FILE: None, own.METHOD_FILE: own.method_page(info),  # None: written before the notebooks
                          own.ACCESSIBILITY_FILE: None, own.COLOPHON_FILE: own.colophon_page(info)}
            for name, text in appendices.items():
                if text is not None:
                    io.write_text(text, run_dir / "report" / name)
            manifest["pdf"] = _print_report(run_dir, [run_dir / "report" / h for h in ("index.html", *(h for h, _, _ in pages), *appendices)],
                                            name=f"{run_id}.pdf", progress=progress, printer=printer)
            excel.result()  # tables/<run_id>.xlsx, written while the pages were rendered and printed
            finish("ok")
            point_latest(outputs, run_id)
        except RunFailed:
            raise
        except KeyboardInterrupt as exc:
            stopped = stop_children()
            _drop(early)
            _settle(excel)
            with contextlib.suppress(Exception):
                finish("failed", error=f"interrupted ({exc or 'Ctrl-C'}); {stopped} worker/kernel process(es) stopped")
            raise RunInterrupted(
                f"run {run_id} was interrupted; its manifest says failed and outputs/latest was not moved"
            ) from None
        except BaseException as exc:
            stop_children()
            _drop(early)
            _settle(excel)
            message = _failure_message(exc)
            with contextlib.suppress(Exception):
                finish("failed", error=message)
            raise RunFailed(f"run {run_id} failed: {message}; its manifest says failed and outputs/latest was not moved") from exc
        finally:
            if printer is not None:
                printer.close()
    progress(f"Done. Report: {run_dir / 'report' / 'index.html'}")
    return RunResult(run_id, run_dir, manifest)

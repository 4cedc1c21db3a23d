"""End-to-end tests of ``decentraal run``: run folder layout, manifest, ``latest``, a failing run,
unique run folders and parameter validation (CLI included).

The successful run (small Zandvoort config, ``tests/data/configs/small.yaml``) is expensive, so it
is made once per session by :func:`small_run` and shared with ``test_browser.py``, which imports
the fixture from here. Every run goes to a temporary outputs folder, never to ``outputs/``.

Kernels started by papermill are separate processes that the socket guard in ``conftest.py``
does not reach; :func:`offline_env` puts the same guard into them through a ``sitecustomize``
module, so notebooks cannot touch the network either.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.metadata as md
import json
import os
import platform
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from decentraal import io
from decentraal.config import CONFIGS_DIR, NOTEBOOKS_DIR, OUTPUTS_DIR, RAW_DIR, ROOT
from decentraal.errors import ParameterError
from decentraal.io.configs import load_config
from decentraal.run import runner
from runs import SMALL_CONFIG, kernels_offline, offline_env

pytestmark = pytest.mark.slow

def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_digest(folder: Path) -> dict[str, str]:
    """``{relative path: sha256}`` of every file below ``folder``."""
    return {str(p.relative_to(folder)): sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def index_links(index: Path) -> list[str]:
    """The href of every link in a report's ``index.html``."""
    return re.findall(r'<a\s[^>]*href="([^"]+)"', index.read_text(encoding="utf-8"))


# ----------------------------------------------------------------------------- config
def test_small_config_is_zandvoort_with_fewer_draws():
    small = load_config(SMALL_CONFIG).model_dump()
    zandvoort = load_config(CONFIGS_DIR / "zandvoort.yaml").model_dump()
    assert set(small) == set(zandvoort)
    changed = {k: (zandvoort[k], small[k]) for k in small if small[k] != zandvoort[k]}
    assert changed == {
        "naam": ("zandvoort", "small"),
        "stabiliteit_trekkingen": (1000, 50),
        "lisa_permutaties": (999, 99),
        "max_nieuwe_loketten": (2, 1),
    }
    assert small["gemeente"] == "GM0473" and small["niveau"] == "wijk"


# ----------------------------------------------------------------------------- successful run
def test_run_folder_layout(small_run):
    run_dir = small_run.run_dir
    assert run_dir.name == small_run.run_id
    assert re.fullmatch(r"\d{8}-\d{6}_small(_\d+)?", small_run.run_id)
    books = runner.notebooks()
    assert books, f"no numbered notebooks in {NOTEBOOKS_DIR}"
    for sub in ("notebooks", "report", "tables", "layers", "figures"):
        assert (run_dir / sub).is_dir(), f"{sub}/ missing in {run_dir}"

    # notebooks/: one executed notebook per notebook, every code cell run, no error output
    import nbformat

    assert sorted(p.name for p in (run_dir / "notebooks").glob("*.ipynb")) == [b.name for b in books]
    for book in books:
        nb = nbformat.read(run_dir / "notebooks" / book.name, as_version=4)
        assert "papermill" in nb.metadata
        assert any("injected-parameters" in c.metadata.get("tags", []) for c in nb.cells)
        for i, cell in enumerate(nb.cells, 1):
            if cell.cell_type == "code" and cell.source.strip():
                assert cell.execution_count is not None, f"{book.name} cell {i} was not executed"
                assert not [o for o in cell.outputs if o.output_type == "error"], f"{book.name} cell {i} has an error"

    # report/: one page per notebook and an index that links each page
    appendices = ["begrippen.html", "colofon.html", "toegankelijkheid.html", "verantwoording.html"]
    pages = sorted(p.name for p in (run_dir / "report").glob("*.html"))
    assert pages == sorted([f"{b.stem}.html" for b in books] + ["index.html"] + appendices)
    links = index_links(run_dir / "report" / "index.html")
    linked = {link.split("#")[0] for link in links}
    assert {f"{b.stem}.html" for b in books} | set(appendices) <= linked
    for link in links:
        assert (run_dir / "report" / unquote(urlparse(link).path)).is_file(), f"index.html links to missing {link}"
    for page in pages:
        text = (run_dir / "report" / page).read_text(encoding="utf-8")
        assert re.search(r"<(?:script|link)\b[^>]*\b(?:src|href)=\"(?:https?:)?//", text) is None, f"{page} loads an external resource"

    # tables/: CSV files plus one workbook whose sheets are the CSV stems
    csvs = sorted((run_dir / "tables").glob("*.csv"))
    assert csvs, "no CSV tables written"
    workbooks = sorted((run_dir / "tables").glob("*.xlsx"))
    assert [w.name for w in workbooks] == [f"{small_run.run_id}.xlsx"]
    import openpyxl

    book = openpyxl.load_workbook(workbooks[0], read_only=True)
    try:
        assert book.sheetnames == [c.stem for c in csvs], "Excel sheet names differ from the CSV names (cut to 31 characters?)"
    finally:
        book.close()

    # layers/: GeoPackages readable by geopandas, with a CRS and rows
    import geopandas as gpd
    import pyogrio

    gpkgs = sorted((run_dir / "layers").glob("*.gpkg"))
    assert gpkgs, "no GeoPackage written"
    for gpkg in gpkgs:
        for name, _ in pyogrio.list_layers(gpkg):
            frame = gpd.read_file(gpkg, layer=name, engine="pyogrio")
            assert frame.crs is not None and len(frame) > 0, f"{gpkg.name}:{name} is empty or has no CRS"

    # figures/: real PNG files
    pngs = sorted((run_dir / "figures").glob("*.png"))
    assert pngs, "no figure written"
    for png in pngs:
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{png.name} is not a PNG"
        assert png.stat().st_size > 5_000, f"{png.name} is suspiciously small"


def test_manifest(small_run):
    run_dir = small_run.run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest == json.loads(json.dumps(small_run.manifest, default=str))
    assert manifest["run_id"] == small_run.run_id
    assert manifest["status"] == "ok"

    start, end = dt.datetime.fromisoformat(manifest["start"]), dt.datetime.fromisoformat(manifest["end"])
    assert start.tzinfo is not None and end.tzinfo is not None, "start/end must carry a UTC offset"
    assert start <= end

    assert manifest["parameters"] == load_config(SMALL_CONFIG).model_dump()

    registry = io.load_registry(RAW_DIR / "registry.json")
    assert set(manifest["inputs"]) == {f"data/raw/{key}" for key in registry}
    for key, digest in manifest["inputs"].items():
        assert re.fullmatch(r"[0-9a-f]{64}", digest), f"{key}: {digest!r} is not a sha256"
        assert digest == io.sha256_file(ROOT / key), f"{key}: manifest checksum differs from the file"

    assert isinstance(manifest["code_version"], str) and manifest["code_version"].strip()
    assert manifest["python"] == platform.python_version()
    assert set(manifest["packages"]) == set(runner.KEY_PACKAGES)
    for name, version in manifest["packages"].items():
        assert version == md.version(name), name

    entries = manifest["notebooks"]
    assert [e["notebook"] for e in entries] == [b.name for b in runner.notebooks()]
    for entry in entries:
        assert entry["status"] == "ok"
        assert isinstance(entry["seconds"], (int, float)) and entry["seconds"] > 0

    listed = manifest["outputs"]
    assert "manifest.json" in listed and "report/index.html" in listed
    for rel in listed:
        assert (run_dir / rel).is_file(), f"manifest lists {rel}, which does not exist"
    on_disk = {str(p.relative_to(run_dir)) for p in run_dir.rglob("*") if p.is_file()}
    assert on_disk == set(listed), f"files not in the manifest: {sorted(on_disk - set(listed))}"


def test_latest_points_at_run(small_run):
    latest = small_run.run_dir.parent / "latest"
    assert latest.is_symlink()
    assert os.readlink(latest) == small_run.run_id, "latest should be a relative link to the run id"
    assert latest.resolve() == small_run.run_dir.resolve()


# ----------------------------------------------------------------------------- failing run
def _failing_notebook_dir(folder: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    folder.mkdir(parents=True)
    (folder / "01_gegevens_verkennen.ipynb").write_bytes((NOTEBOOKS_DIR / "01_gegevens_verkennen.ipynb").read_bytes())
    params = new_code_cell('uitvoer_map: str = ""  # out')
    params.metadata["tags"] = ["parameters"]
    nb = new_notebook(cells=[params, new_code_cell('raise ValueError("opzettelijk")')])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, folder / "02_faalt.ipynb")
    return folder


@pytest.fixture(scope="module")
def failed_run(small_run, tmp_path_factory):
    """A run whose second notebook raises, into the same outputs folder as ``small_run``."""
    outputs = small_run.run_dir.parent
    before = {p.name for p in outputs.iterdir()}
    index_sha = sha256(small_run.run_dir / "report" / "index.html")
    tree = tree_digest(small_run.run_dir)
    latest_before = os.readlink(outputs / "latest")
    folder = _failing_notebook_dir(tmp_path_factory.mktemp("nb") / "notebooks")
    with kernels_offline(tmp_path_factory.mktemp("offline")):
        with pytest.raises(runner.RunFailed) as info:
            runner.run(load_config(SMALL_CONFIG), outputs=outputs, notebook_dir=folder, progress=lambda _msg: None)
    new = sorted({p.name for p in outputs.iterdir()} - before)
    return {
        "error": info.value, "outputs": outputs, "new": new, "index_sha": index_sha, "tree": tree,
        "latest_before": latest_before,
    }


def test_failing_run_message_and_kept_notebook(failed_run, small_run):
    message = str(failed_run["error"])
    assert "02_faalt.ipynb" in message
    assert "ValueError" in message and "opzettelijk" in message
    assert re.search(r"\bcell \d+\b", message), message

    assert len(failed_run["new"]) == 1, f"expected one new run folder, got {failed_run['new']}"
    failed_dir = failed_run["outputs"] / failed_run["new"][0]
    assert failed_dir != small_run.run_dir
    partial = failed_dir / "notebooks" / "02_faalt.ipynb"
    assert partial.is_file(), "the partly executed notebook must be kept for debugging"
    assert str(partial) in message, "the message should say where the partial notebook is"
    import nbformat

    nb = nbformat.read(partial, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors and errors[0].evalue == "opzettelijk"
    assert (failed_dir / "notebooks" / "01_gegevens_verkennen.ipynb").is_file(), "notebook 01 ran before the failure"

    manifest = json.loads((failed_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert "02_faalt.ipynb" in manifest["error"] and "opzettelijk" in manifest["error"]
    assert [(e["notebook"], e["status"]) for e in manifest["notebooks"]] == [
        ("01_gegevens_verkennen.ipynb", "ok"), ("02_faalt.ipynb", "failed"),
    ]
    assert not list((failed_dir / "report").glob("*.html")), "a failed run must not render reports"


def test_failing_run_names_the_source_cell_number(failed_run):
    message = str(failed_run["error"])
    assert re.search(r"\bcell 2\b", message), message


def test_failing_run_leaves_latest_and_earlier_run_alone(failed_run, small_run):
    outputs = failed_run["outputs"]
    assert os.readlink(outputs / "latest") == failed_run["latest_before"] == small_run.run_id
    assert sha256(small_run.run_dir / "report" / "index.html") == failed_run["index_sha"]
    assert tree_digest(small_run.run_dir) == failed_run["tree"], "the earlier run's files changed"


# ----------------------------------------------------------------------------- unique run folders
def test_same_config_and_timestamp_get_different_folders(tmp_path):
    params = load_config(SMALL_CONFIG)
    now = dt.datetime(2024, 5, 1, 12, 0, 0)
    first_id, first = runner.new_run_dir(params, outputs=tmp_path, now=now)
    (first / "report" / "index.html").write_text("eerste run", encoding="utf-8")
    second_id, second = runner.new_run_dir(params, outputs=tmp_path, now=now)
    third_id, _ = runner.new_run_dir(params, outputs=tmp_path, now=now)
    assert first_id == "20240501-120000_small"
    assert len({first_id, second_id, third_id}) == 3
    assert first != second and second.is_dir()
    assert (first / "report" / "index.html").read_text(encoding="utf-8") == "eerste run"
    assert not (second / "report" / "index.html").exists()


# ----------------------------------------------------------------------------- validation
BAD_PARAMETERS = [
    pytest.param(["gemeente=GM9999"], ["gemeente", "GM9999", "GM0392 (Haarlem)", "GM0473 (Zandvoort)"], id="unknown-gemeente"),
    pytest.param(["niveau=stadsdeel"], ["stadsdeel", "GM0473", "valid: buurt, wijk, gemeente"], id="level-not-for-zandvoort"),
    pytest.param(["niveau=provincie"], ["niveau", "'buurt', 'wijk', 'stadsdeel' or 'gemeente'"], id="unknown-level"),
    pytest.param(["lisa_permutaties=veel"], ["lisa_permutaties", "valid integer"], id="wrong-type"),
    pytest.param(["gewicht_inkomen_per_inwoner=-1"], ["gewicht_inkomen_per_inwoner", "greater than or equal to 0"], id="negative-weight"),
    pytest.param(["onbekend=1"], ["onbekend", "valid parameters:", "gewicht_inkomen_per_inwoner"], id="unknown-parameter"),
]


@pytest.mark.parametrize(("overrides", "expected"), BAD_PARAMETERS)
def test_invalid_parameters_are_refused_before_anything_is_written(tmp_path, overrides, expected):
    outputs = tmp_path / "outputs"
    outputs.mkdir()
    with pytest.raises(ParameterError) as info:
        runner.run(load_config(SMALL_CONFIG, overrides), outputs=outputs, progress=lambda _msg: None)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in message:\n{message}"
    assert "Nothing was run or written" in message
    assert list(outputs.iterdir()) == []


def test_invalid_config_file_lists_every_problem(tmp_path):
    text = SMALL_CONFIG.read_text(encoding="utf-8") + "seed: morgen\ngewicht_aandeel_65plus: -2\n"
    bad = tmp_path / "fout.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ParameterError) as info:
        load_config(bad)
    message = str(info.value)
    assert "fout.yaml" in message
    assert "seed: Input should be a valid integer" in message
    assert "gewicht_aandeel_65plus: Input should be greater than or equal to 0" in message


def _run_folders() -> set[str]:
    return {p.name for p in OUTPUTS_DIR.iterdir()} if OUTPUTS_DIR.exists() else set()


def test_cli_refuses_invalid_level_and_writes_nothing(tmp_path):
    # The CLI always writes to the real outputs/ (there is no --outputs option), so only its
    # validation path is run here; the end-to-end run goes through runner.run above.
    before = _run_folders()
    proc = subprocess.run(
        [sys.executable, "-m", "decentraal", "run", "--config", str(SMALL_CONFIG), "-p", "niveau=stadsdeel"],
        capture_output=True, text=True, timeout=300, cwd=ROOT, env=offline_env(tmp_path / "offline"),
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "level 'stadsdeel' is not available for GM0473" in proc.stderr
    assert "valid: buurt, wijk, gemeente" in proc.stderr
    assert "Traceback" not in proc.stderr
    # other people may run notebooks meanwhile, so only look for folders of this config
    assert not [name for name in _run_folders() - before if name.endswith(("_small",)) or "_small_" in name]


def test_offline_env_blocks_network_in_child_processes(tmp_path):
    code = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=offline_env(tmp_path))
    assert proc.returncode != 0
    assert "tests must stay offline" in proc.stderr
    loopback = "import socket; s = socket.socket(); print(s.connect_ex(('127.0.0.1', 9)))"
    proc = subprocess.run([sys.executable, "-c", loopback], capture_output=True, text=True, timeout=60, env=offline_env(tmp_path))
    assert proc.returncode == 0, proc.stderr


# ----------------------------------------------------------------------------- weights
def test_changing_weights_changes_the_ranking(built):
    """Function level (notebook 02 does the same): with the real Haarlem wijk indicators, a large
    income weight moves the lowest-income wijk to rank 1 and changes the ranking."""
    from decentraal.methods.barriers import composite_index, standardise
    from decentraal.methods.indicators import INDICATOR_BY_KEY, index_input

    layers, _counters, _report = built
    wijk = layers["wijk"]
    table = wijk.loc[wijk["gemeentecode"] == "GM0392"].set_index("code")
    used = index_input(table.reset_index(), {k: 1.0 for k in INDICATOR_BY_KEY}).weights
    usable = list(used)
    assert "inkomen_per_inwoner" in usable
    z = standardise(table[usable], {k: INDICATOR_BY_KEY[k].direction for k in usable}, population=table["inwoners"])

    def ranking(overrides: list[str]):
        weights = load_config(CONFIGS_DIR / "haarlem.yaml", overrides).weights()
        return composite_index(z, {k: weights[k] for k in usable})["rank"]

    equal = ranking([])
    heavy = ranking(["gewicht_inkomen_per_inwoner=100"])
    poorest = table["inkomen_per_inwoner"].idxmin()
    assert not equal.equals(heavy), "a 100x income weight should change the ranking"
    assert heavy[poorest] == 1
    assert heavy[poorest] <= equal[poorest]
    # the ranking then follows income (lowest income = rank 1) almost exactly
    by_income = table["inkomen_per_inwoner"].rank(method="min")
    assert heavy.corr(by_income, method="spearman") > 0.9


# ----------------------------------------------------------------------------- benchmark safety
def _fake_processed(tmp_path, monkeypatch):
    from decentraal.pipeline import data as processed
    from decentraal.run import bench

    data = tmp_path / "data"
    proc = data / "processed"
    proc.mkdir(parents=True)
    (proc / "README.md").write_text("leesmij", encoding="utf-8")
    (proc / "gebieden.gpkg").write_bytes(b"oud")
    (proc / "eigen_notitie.txt").write_text("van de gebruiker", encoding="utf-8")
    monkeypatch.setattr(bench, "DATA_DIR", data)
    monkeypatch.setattr(bench, "PROCESSED_DIR", proc)

    def rebuild(*_args, **_kwargs):
        proc.mkdir(exist_ok=True)
        (proc / "gebieden.gpkg").write_bytes(b"nieuw")
        return proc

    monkeypatch.setattr(processed, "ensure_processed", rebuild)
    return data, proc


def test_bench_cold_run_restores_processed_data_on_failure(tmp_path, monkeypatch):
    from decentraal.run import bench

    data, proc = _fake_processed(tmp_path, monkeypatch)

    def broken_run(*_args, **_kwargs):
        raise RuntimeError("kapot")

    monkeypatch.setattr(bench, "_timed_run", broken_run)
    with pytest.raises(RuntimeError, match="kapot"):
        bench.cold_run(load_config(SMALL_CONFIG), tmp_path / "outputs")
    assert (proc / "gebieden.gpkg").read_bytes() == b"oud"
    assert (proc / "eigen_notitie.txt").read_text(encoding="utf-8") == "van de gebruiker"
    assert sorted(p.name for p in data.iterdir()) == ["processed"], "the aside folder must be cleaned up"


def test_bench_cold_run_keeps_files_it_does_not_rebuild(tmp_path, monkeypatch):
    from decentraal.run import bench

    data, proc = _fake_processed(tmp_path, monkeypatch)
    monkeypatch.setattr(bench, "_timed_run", lambda *_a, **_k: {"seconds_total": 1.0})
    result = bench.cold_run(load_config(SMALL_CONFIG), tmp_path / "outputs")
    assert "seconds_build_processed" in result
    assert (proc / "gebieden.gpkg").read_bytes() == b"nieuw"
    assert (proc / "README.md").read_text(encoding="utf-8") == "leesmij"
    assert (proc / "eigen_notitie.txt").read_text(encoding="utf-8") == "van de gebruiker"
    assert sorted(p.name for p in data.iterdir()) == ["processed"]

"""Bad input and faults, tried as a careless or hostile user would, through the real command line.

Each case runs ``python -m decentraal`` in a subprocess on a private copy of ``data/`` (via
``DECENTRAAL_DATA_DIR``) and a private outputs folder, and asserts the same contract:

* a non-zero exit;
* a message that names the culprit and the fix;
* no Python traceback;
* no new run folder, or only one whose manifest says ``failed``;
* ``outputs/latest`` and ``data/processed`` unchanged;
* no stale number in any output (nothing is written, or only the failed run's own files).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from decentraal.config import DATA_DIR, ROOT
from decentraal.io import registry

pytestmark = pytest.mark.slow

KWB = "cbs_kwb_2024/kwb2024_haarlem_zandvoort_selectie.csv"
HEALTH = "politie_rivm/politie_rivm_haarlem_zandvoort_buurt.csv"
LOKETTEN = "loketten/loketten.csv"
HAARLEM = ROOT / "configs" / "haarlem.yaml"


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A data folder with a current data/processed, built once for the module."""
    from decentraal.pipeline.data import ensure_processed

    ensure_processed()
    target = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA_DIR / "raw", target / "raw")
    shutil.copytree(DATA_DIR / "processed", target / "processed")
    return target


@pytest.fixture
def data(pristine, tmp_path) -> Path:
    target = tmp_path / "data"
    shutil.copytree(pristine, target)
    return target


@pytest.fixture
def outputs(tmp_path) -> Path:
    """An outputs folder that already holds one good run and ``latest`` pointing at it."""
    out = tmp_path / "outputs"
    (out / "20200101-000000_haarlem").mkdir(parents=True)
    (out / "20200101-000000_haarlem" / "manifest.json").write_text('{"status": "ok"}')
    (out / "latest").symlink_to("20200101-000000_haarlem", target_is_directory=True)
    return out


def cli(*args: str, data: Path, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    env = {**os.environ, "DECENTRAAL_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "decentraal", *args], capture_output=True, text=True, env=env,
                          cwd=cwd or ROOT, timeout=timeout)


def _snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): registry.sha256_file(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_raw(data: Path, key: str, edit, *, register: bool = True) -> None:
    """Change a raw file in the copy; by default record its new checksum, as the error message invites."""
    path = data / "raw" / key
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    if register:
        reg = json.loads((data / "raw" / "registry.json").read_text())
        reg[key]["sha256"] = registry.sha256_file(path)
        (data / "raw" / "registry.json").write_text(json.dumps(reg, indent=2))


def set_cell(text: str, code: str, column: str, value: str) -> str:
    """Set one cell of a CSV (first column = key), keeping quoting intact."""
    import csv
    import io

    rows = list(csv.reader(io.StringIO(text)))
    col = rows[0].index(column)
    hits = [row for row in rows[1:] if row and row[0] == code]
    assert hits, f"{code} not found"
    hits[0][col] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


class Refused:
    """Snapshot before, then assert the contract after a refused command."""

    def __init__(self, data: Path, outputs: Path):
        self.data, self.outputs = data, outputs
        self.processed = _snapshot(data / "processed")
        self.runs = {p.name for p in outputs.iterdir()}
        self.latest = os.readlink(outputs / "latest")

    def check(self, result: subprocess.CompletedProcess, *words: str) -> None:
        said = result.stderr + result.stdout
        assert result.returncode != 0, f"expected a refusal, got exit 0:\n{said}"
        assert "Traceback" not in said, said
        for word in words:
            assert word.lower() in said.lower(), f"message does not name {word!r}:\n{said}"
        new = {p.name for p in self.outputs.iterdir()} - self.runs
        for name in new:
            manifest = json.loads((self.outputs / name / "manifest.json").read_text())
            assert manifest["status"] == "failed", f"{name} is left without a failed manifest"
        assert os.readlink(self.outputs / "latest") == self.latest, "outputs/latest moved"
        assert _snapshot(self.data / "processed") == self.processed, "data/processed changed"


def run_args(outputs: Path, *extra: str, config: Path = HAARLEM) -> list[str]:
    return ["run", "--config", str(config), "--outputs", str(outputs), *extra]


# ----------------------------------------------------------------------------- integrity
def test_raw_file_changed_after_processed_was_built(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, KWB, lambda t: t.replace("Haarlem", "Haarlem ", 1), register=False)
    guard.check(cli(*run_args(outputs), data=data), KWB.split("/")[-1], "has changed", "git checkout")


def test_raw_file_deleted(data, outputs):
    guard = Refused(data, outputs)
    (data / "raw" / HEALTH).unlink()
    guard.check(cli(*run_args(outputs), data=data), HEALTH.split("/")[-1], "missing", "git checkout")


def test_registry_entry_without_sha256(data, outputs):
    guard = Refused(data, outputs)
    reg = json.loads((data / "raw" / "registry.json").read_text())
    del reg[LOKETTEN]["sha256"]
    (data / "raw" / "registry.json").write_text(json.dumps(reg))
    guard.check(cli(*run_args(outputs), data=data), LOKETTEN, "sha256")


def test_registry_not_json(data, outputs):
    guard = Refused(data, outputs)
    (data / "raw" / "registry.json").write_text("{ not json")
    guard.check(cli(*run_args(outputs), data=data), "registry.json", "not valid JSON")


# ----------------------------------------------------------------------------- plausible but wrong
def test_kwb_with_ten_buurten_removed(data, outputs):
    guard = Refused(data, outputs)

    def drop(text: str) -> str:
        lines = text.splitlines()
        buurten = [i for i, line in enumerate(lines) if line.startswith("BU0392")][:10]
        return "\n".join(line for i, line in enumerate(lines) if i not in buurten) + "\n"

    edit_raw(data, KWB, drop)
    guard.check(cli(*run_args(outputs), data=data), "do not hold the same areas", "BU0392", "git checkout")


def test_cbs_secret_code_in_population(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, KWB, lambda t: set_cell(t, "BU03920101", "AantalInwoners_5", "-99997"))
    guard.check(cli(*run_args(outputs), data=data), "BU03920101", "-99997", "special code")


def test_absurd_population(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, KWB, lambda t: set_cell(t, "BU03920101", "AantalInwoners_5", "99999999"))
    guard.check(cli(*run_args(outputs), data=data), "BU03920101", "inwoners", "between 0 and")


def test_health_share_above_100_percent(data, outputs):
    guard = Refused(data, outputs)
    header = (data / "raw" / HEALTH).read_text().splitlines()[0].split(",")
    column = [c for c in header if c.startswith("pct_goed_ervaren_gezondheid_18plus_")][-1]
    edit_raw(data, HEALTH, lambda t: set_cell(t, "BU03920101", column, "150"))
    guard.check(cli(*run_args(outputs), data=data), "150", "percentage lies between 0 and 100")


def test_more_65plus_than_inhabitants(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, KWB, lambda t: set_cell(t, "BU03920101", "k_65JaarOfOuder_12", "90000"))
    guard.check(cli(*run_args(outputs), data=data), "BU03920101", "cannot exceed its whole")


def test_counter_coordinates_in_degrees(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, LOKETTEN, lambda t: set_cell(set_cell(t, "haarlem_zijlvest", "x", "4.6368"), "haarlem_zijlvest", "y", "52.3811"))
    guard.check(cli(*run_args(outputs), data=data), "haarlem_zijlvest", "RD New")


def test_counter_far_outside_its_municipality(data, outputs):
    guard = Refused(data, outputs)
    edit_raw(data, LOKETTEN, lambda t: set_cell(set_cell(t, "haarlem_zijlvest", "x", "155000"), "haarlem_zijlvest", "y", "463000"))
    guard.check(cli(*run_args(outputs), data=data), "haarlem_zijlvest", "outside", "x/y")


# ----------------------------------------------------------------------------- configs and parameters
def test_empty_config(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    config = tmp_path / "leeg.yaml"
    config.write_text("# nothing\n")
    guard.check(cli(*run_args(outputs, config=config), data=data), "leeg.yaml", "empty", "naam and gemeente")


def test_config_without_municipality(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    config = tmp_path / "zonder.yaml"
    config.write_text("niveau: buurt\n")
    guard.check(cli(*run_args(outputs, config=config), data=data), "zonder.yaml", "naam, gemeente", "never falls back")


def test_duplicate_key_in_config(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    config = tmp_path / "dubbel.yaml"
    config.write_text("naam: haarlem\ngemeente: GM0392\nniveau: wijk\nniveau: buurt\n")
    guard.check(cli(*run_args(outputs, config=config), data=data), "niveau", "appears twice", "keep one")


def test_config_is_a_folder(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, config=ROOT / "configs"), data=data), "is a folder", "haarlem.yaml")


def test_config_not_utf8(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    config = tmp_path / "latin1.yaml"
    config.write_bytes("naam: haarlem\ngemeente: GM0392\n# café\n".encode("latin-1"))
    guard.check(cli(*run_args(outputs, config=config), data=data), "latin1.yaml", "not UTF-8")


def test_config_missing(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, config=tmp_path / "nergens.yaml"), data=data), "nergens.yaml", "does not exist", "haarlem.yaml")


def test_unknown_only_value(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "--only", "1"), data=data), "--only 1", "valid: 01, 02, 03")


def test_seed_out_of_range_is_refused_before_anything_runs(data, outputs):
    guard = Refused(data, outputs)
    t0 = time.perf_counter()
    result = cli(*run_args(outputs, "-p", "seed=99999999999"), data=data)
    guard.check(result, "seed", "4294967295")
    assert time.perf_counter() - t0 < 30, "parameters must be checked before any notebook starts"


def test_disclosure_threshold_below_the_floor(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "-p", "onthulling_drempel=1"), data=data), "onthulling_drempel", "CBS practice")


def test_unknown_parameter(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "-p", "gewicht_kat=2"), data=data), "gewicht_kat", "unknown parameter")


def test_unknown_municipality(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "-p", "gemeente=GM0363"), data=data), "GM0363", "GM0392 (Haarlem)")


def test_level_not_available_for_the_municipality(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "-p", "gemeente=GM0473", "-p", "niveau=stadsdeel"), data=data), "stadsdeel", "valid: buurt")


def test_override_without_equals(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "-p", "niveau"), data=data), "name=value")


def test_jobs_zero(data, outputs):
    guard = Refused(data, outputs)
    guard.check(cli(*run_args(outputs, "--jobs", "0"), data=data), "--jobs", "at least 1")


def test_visit_file_that_does_not_exist(data, outputs):
    guard = Refused(data, outputs)
    result = cli(*run_args(outputs, "-p", "vraagbron=waarnemingen", "-p", "bezoeken_bestand=geen.csv"), data=data)
    guard.check(result, "geen.csv", "does not exist")


# ----------------------------------------------------------------------------- outputs
def test_outputs_is_a_file(data, outputs, tmp_path):
    guard = Refused(data, outputs)
    target = tmp_path / "een_bestand"
    target.write_text("x")
    guard.check(cli(*run_args(target), data=data), "is a file", "give a folder")


def test_latest_is_a_real_folder(data, tmp_path):
    out = tmp_path / "outputs2"
    (out / "latest").mkdir(parents=True)
    (out / "latest" / "mijn_notities.txt").write_text("keep me")
    result = cli(*run_args(out), data=data)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "latest" in result.stderr and "rename or remove it" in result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["latest"], "nothing may be written"
    assert (out / "latest" / "mijn_notities.txt").read_text() == "keep me"


# ----------------------------------------------------------------------------- interruption
def _start(data: Path, outputs: Path, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "DECENTRAAL_DATA_DIR": str(data)}
    return subprocess.Popen([sys.executable, "-m", "decentraal", *run_args(outputs, *extra)], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_kernel(outputs: Path, proc: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list(outputs.glob("*/notebooks/*.log")) and proc.poll() is None:
            time.sleep(2.0)  # the kernel is starting or running
            return
        time.sleep(0.2)
    raise AssertionError("the run did not start a notebook in time")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_interrupted_run_stops_every_kernel_and_marks_the_run_failed(data, outputs, sig):
    import psutil

    guard = Refused(data, outputs)
    proc = _start(data, outputs, "--only", "02", "--jobs", "1")
    _wait_for_kernel(outputs, proc)
    children = psutil.Process(proc.pid).children(recursive=True)
    assert children, "expected a worker and a kernel"
    proc.send_signal(sig)
    stdout, stderr = proc.communicate(timeout=60)
    result = subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)
    guard.check(result, "interrupted", "latest was not moved")
    assert len([line for line in stderr.splitlines() if line.strip()]) == 1, stderr
    time.sleep(1.0)
    alive = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"left running: {[c.cmdline()[:3] for c in alive]}"
    run_dir = next(p for p in outputs.iterdir() if p.name not in guard.runs)
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["status"] == "failed" and "interrupted" in manifest["error"]

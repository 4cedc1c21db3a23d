"""Shared fixtures. No test touches the network: a guard below makes any socket connection to a
non-loopback address fail loudly."""

from __future__ import annotations

import json
import shutil
import socket
from pathlib import Path

import pytest

from decentraal import io
from decentraal.config import RAW_DIR

_real_connect = socket.socket.connect


def _guarded_connect(self, address):  # pragma: no cover - only hit by a faulty test
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise RuntimeError(f"test tried to reach the network ({address}); tests must stay offline")
    return _real_connect(self, address)


@pytest.fixture(autouse=True)
def _no_network(monkeypatch):
    monkeypatch.setattr(socket.socket, "connect", _guarded_connect)


@pytest.fixture(scope="session")
def raw():
    """All shipped raw data, loaded once."""
    from decentraal.io.loaders import load_raw

    return load_raw()


@pytest.fixture(scope="session")
def built(raw):
    """Area layers with indicators, counters and join report from the shipped data."""
    from decentraal.pipeline.data import build_tables

    return build_tables(raw)


@pytest.fixture
def raw_copy(tmp_path) -> Path:
    """A writable copy of data/raw for tests that damage a file."""
    target = tmp_path / "raw"
    shutil.copytree(RAW_DIR, target)
    return target


def replace_raw(raw_dir: Path, key: str, data: bytes, *, update_registry: bool = True) -> Path:
    """Overwrite a raw file in a copy; by default record its new checksum (as a refresh would)."""
    path = raw_dir / key
    path.write_bytes(data)
    if update_registry:
        registry = json.loads((raw_dir / "registry.json").read_text(encoding="utf-8"))
        registry[key]["sha256"] = io.sha256_file(path)
        (raw_dir / "registry.json").write_text(json.dumps(registry), encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def small_run(tmp_path_factory):
    """One successful run of all notebooks with ``tests/data/configs/small.yaml`` (see tests/runs.py)."""
    from runs import make_small_run

    return make_small_run(tmp_path_factory)


@pytest.fixture(scope="module")
def browser():
    """Debian's headless Chromium through playwright (the browser tests; fails when Chromium is missing)."""
    from runs import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.fail("the Python package playwright is missing: run `make venv` (installs the test extra)", pytrace=False)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory) -> Path:
    """The report folder of the shared small run."""
    from runs import make_small_run

    return make_small_run(tmp_path_factory).run_dir / "report"

"""Shared helpers for tests that run the notebooks: offline kernels and one small run per session.

Kernels started by papermill are separate processes that the socket guard in ``conftest.py``
does not reach; :func:`offline_env` puts the same guard into them through a ``sitecustomize``
module, so notebooks cannot touch the network either. The ``small_run`` fixture (in
``conftest.py``) runs every notebook once with ``tests/data/configs/small.yaml``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from decentraal.io.configs import load_config
from decentraal.run import runner

TESTS_DIR = Path(__file__).resolve().parent
SMALL_CONFIG = TESTS_DIR / "data" / "configs" / "small.yaml"

# ----------------------------------------------------------------------------- offline kernels
_SITECUSTOMIZE = '''\
"""Written by tests/runs.py: block non-loopback connections in kernels started by tests."""
import socket as _socket

_real_connect = _socket.socket.connect
_real_connect_ex = _socket.socket.connect_ex


def _check(address):
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if isinstance(host, str) and not (host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")):
        raise RuntimeError(f"test tried to reach the network ({address}); tests must stay offline")


def _connect(self, address):
    _check(address)
    return _real_connect(self, address)


def _connect_ex(self, address):
    _check(address)
    return _real_connect_ex(self, address)


_socket.socket.connect = _connect
_socket.socket.connect_ex = _connect_ex
'''


def offline_env(folder: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """An environment whose Python processes (kernels, subprocesses) cannot reach the network.

    Writes ``sitecustomize.py`` with the socket guard of ``conftest.py`` into ``folder`` and puts
    ``folder`` first on ``PYTHONPATH``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "sitecustomize.py").write_text(_SITECUSTOMIZE, encoding="utf-8")
    env = dict(os.environ if base is None else base)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), env.get("PYTHONPATH", "")]))
    return env


@contextlib.contextmanager
def kernels_offline(folder: Path) -> Iterator[None]:
    """Within the block, kernels launched by papermill from this process get the socket guard."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = offline_env(folder)["PYTHONPATH"]
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH", None)
        else:
            os.environ["PYTHONPATH"] = old


# ----------------------------------------------------------------------------- shared run
_CACHE: dict[str, object] = {}


def make_small_run(tmp_path_factory: pytest.TempPathFactory) -> runner.RunResult:
    """Run every notebook once with the small config into a temporary outputs folder.

    Cached for the session: a fixture imported into another test module gets its own fixture
    definition in pytest, so the cache (not the fixture scope) makes sure the run happens once.
    """
    if "small_run" not in _CACHE:
        outputs = tmp_path_factory.mktemp("outputs")
        guard = tmp_path_factory.mktemp("offline")
        params = load_config(SMALL_CONFIG)
        messages: list[str] = []
        with kernels_offline(guard):
            result = runner.run(params, outputs=outputs, progress=messages.append)
        _CACHE["small_run"] = result
        _CACHE["progress"] = messages
    return _CACHE["small_run"]  # type: ignore[return-value]


# --------------------------------------------------------------------------- headless Chromium (browser tests)
#: Flags of the browser tests: no sandbox (root in CI), no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


def chromium_path() -> str:
    """Debian's chromium; fail (never skip) when it is missing, so CI cannot pass silently."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if not found:
        pytest.fail("chromium is not installed: run `make browser` (installs Debian's chromium), then rerun the tests", pytrace=False)
    return found

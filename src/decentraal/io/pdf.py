"""The committee report as one A4 PDF, printed by headless Chromium from the HTML pages.

Chromium prints each page with the stylesheet's ``@page { size: A4 }`` and print rules
(interactive maps and the table of contents are left out; static maps and tables stay); the
pages are then joined into one file with :mod:`pypdf`. Without a Chromium on the machine no PDF
is made and the caller records why (``make browser`` installs Debian's chromium).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from decentraal.errors import DecentraalError
from decentraal.io import files

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for a headless print on a machine without network (no background requests, no sandbox as root).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--no-pdf-header-footer", "--run-all-compositor-stages-before-draw",
         "--virtual-time-budget=5000")


class PdfError(DecentraalError, RuntimeError):
    """Chromium did not print a page."""


def browser() -> str | None:
    """Path of a Chromium-family browser, or None."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


def print_pdf(pages: Sequence[Path], target: Path, *, timeout: float = 120) -> Path:
    """Print ``pages`` (HTML files) to A4 PDF and join them, in order, into ``target`` (atomically)."""
    from pypdf import PdfWriter

    exe = browser()
    if exe is None:
        raise PdfError("no Chromium found to print the PDF; install it with `make browser` (Debian's chromium)")
    writer = PdfWriter()
    with tempfile.TemporaryDirectory(prefix="decentraal-pdf-") as tmp:
        for i, page in enumerate(pages):
            out = Path(tmp) / f"{i:02d}.pdf"
            cmd = [exe, *FLAGS, f"--user-data-dir={Path(tmp) / 'profile'}", f"--print-to-pdf={out}", Path(page).resolve().as_uri()]
            try:
                subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
            except subprocess.TimeoutExpired:
                raise PdfError(f"Chromium did not print {page} within {timeout:.0f} s") from None
            if not out.exists() or out.stat().st_size == 0:
                raise PdfError(f"Chromium printed no PDF for {page}")
            writer.append(str(out))
        with files.atomic_path(Path(target)) as tmp_target:
            with open(tmp_target, "wb") as handle:
                writer.write(handle)
    return Path(target)

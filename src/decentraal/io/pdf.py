"""The committee report as one A4 PDF, printed by headless Chromium from the HTML pages.

Chromium prints each page with the stylesheet's ``@page { size: A4 }`` and print rules
(interactive maps and the table of contents are left out; static maps and tables stay); the
pages are then joined into one file with :mod:`pypdf`. Without a Chromium on the machine no PDF
is made and the caller records why (``make browser`` installs Debian's chromium).

One Chromium prints every page (:class:`Printer`, over the DevTools protocol on a pipe, with the
options of ``chromium --headless --print-to-pdf``: the page's CSS page size, backgrounds, no
header or footer): starting a browser per page cost about a second each. A runner can hand pages
to the printer as soon as they are written (:meth:`Printer.submit`), so chapters are printed
while other notebooks still run.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from decentraal.errors import DecentraalError
from decentraal.io import files

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Flags for a headless print on a machine without network (no background requests, no sandbox as root).
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run", "--run-all-compositor-stages-before-draw")
#: ``Page.printToPDF`` options that match ``--print-to-pdf --no-pdf-header-footer`` (same PDF, checked page by page).
PRINT_OPTIONS = {"printBackground": True, "preferCSSPageSize": True, "displayHeaderFooter": False}
#: Removes a page's own "pagina N van M" (the stylesheet's ``@bottom-right`` box, which restarts in every file).
HIDE_PAGE_COUNTER = ("document.head.insertAdjacentHTML('beforeend', "
                     "'<style>@page { @bottom-right { content: none; } }</style>')")
#: The page numbers of the joined PDF: one A4 page per number, only the footer text, where the stylesheet
#: puts it (bottom right, in the 18 mm bottom margin), merged onto the report's pages with pypdf.
NUMBER_PAGE = ('<div style="position:relative;height:297mm;break-after:page;margin:0">'
               '<span style="position:absolute;right:14mm;bottom:7.5mm;font:8pt Arial,sans-serif;color:#505050">'
               'pagina {n} van {total}</span></div>')


class PdfError(DecentraalError, RuntimeError):
    """Chromium did not print a page."""


def browser() -> str | None:
    """Path of a Chromium-family browser, or None."""
    return next((path for name in BROWSERS if (path := shutil.which(name))), None)


class _Browser:
    """A headless Chromium driven over ``--remote-debugging-pipe`` (JSON messages ended by NUL on fds 3 and 4)."""

    def __init__(self, exe: str, profile: Path, timeout: float):
        self.timeout = timeout
        to_chrome_r, self._to_chrome = os.pipe()
        self._from_chrome, from_chrome_w = os.pipe()

        def pipe_to_3_and_4() -> None:  # in the child: the browser reads commands on fd 3 and answers on fd 4
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_chrome_r, from_chrome_w)]  # 3/4 may be taken
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        try:  # close_fds=False keeps fds 3 and 4; Python's own descriptors are not inheritable (PEP 446)
            self.proc = subprocess.Popen(
                [exe, *FLAGS, "--remote-debugging-pipe", f"--user-data-dir={profile}", "about:blank"],
                preexec_fn=pipe_to_3_and_4, close_fds=False, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL)
        finally:
            os.close(to_chrome_r)
            os.close(from_chrome_w)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    def _read(self, deadline: float, what: str) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self._from_chrome], [], [], remaining)[0]:
                raise PdfError(f"Chromium did not {what} within {self.timeout:.0f} s")
            chunk = os.read(self._from_chrome, 1 << 20)
            if not chunk:
                raise PdfError(f"Chromium stopped while it should {what}")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._to_chrome, json.dumps(message).encode() + b"\0")
        except OSError:
            raise PdfError(f"Chromium stopped before {method}") from None
        deadline = time.monotonic() + self.timeout
        while True:
            answer = self._read(deadline, f"answer {method}")
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise PdfError(f"Chromium refused {method}: {answer['error'].get('message', answer['error'])}")
                return answer.get("result", {})
            self._events.append(answer)

    def wait_for(self, event: str, session: str) -> None:
        deadline = time.monotonic() + self.timeout
        while True:
            for i, message in enumerate(self._events):
                if message.get("method") == event and message.get("sessionId") == session:
                    del self._events[i]
                    return
            self._events.append(self._read(deadline, f"load the page ({event})"))

    def print_page(self, page: Path, *, numbered_later: bool = True) -> bytes:
        """One HTML file as PDF bytes, printed in a fresh tab (without its own page count when ``numbered_later``)."""
        target = self.send("Target.createTarget", url="about:blank")["targetId"]
        try:
            session = self.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
            self.send("Page.enable", session=session)
            self.send("Page.navigate", session=session, url=Path(page).resolve().as_uri())
            self.wait_for("Page.loadEventFired", session)
            if numbered_later:  # the joined PDF gets one page count (number_pages); a page's own count would restart
                self.send("Runtime.evaluate", session=session, expression=HIDE_PAGE_COUNTER)
            data = self.send("Page.printToPDF", session=session, **PRINT_OPTIONS)["data"]
        finally:
            with contextlib.suppress(PdfError):
                self.send("Target.closeTarget", targetId=target)
        self._events.clear()
        return base64.b64decode(data)

    def close(self) -> None:
        with contextlib.suppress(PdfError, OSError):
            self._next_id += 1
            os.write(self._to_chrome, json.dumps({"id": self._next_id, "method": "Browser.close", "params": {}}).encode() + b"\0")
        for fd in (self._to_chrome, self._from_chrome):
            with contextlib.suppress(OSError):
                os.close(fd)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Printer:
    """One headless Chromium that prints HTML pages to PDF in a background thread, one after another.

    Use as a context manager (the browser is stopped on exit). :meth:`submit` returns at once;
    :meth:`pdf` waits for a submitted page. The browser starts with the first page.
    """

    def __init__(self, *, timeout: float = 120):
        exe = browser()
        if exe is None:
            raise PdfError("no Chromium found to print the PDF; install it with `make browser` (Debian's chromium)")
        self._exe, self._timeout = exe, timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="decentraal-pdf-")
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="decentraal-pdf")
        self._browser: _Browser | None = None
        self._pages: dict[Path, Future[bytes]] = {}
        self._lock = threading.Lock()

    def _print(self, page: Path) -> bytes:
        if self._browser is None:
            self._browser = _Browser(self._exe, Path(self._tmp.name) / "profile", self._timeout)
        try:
            data = self._browser.print_page(page)
        except PdfError as exc:
            self._browser.close()  # start afresh for the next page
            self._browser = None
            raise PdfError(f"Chromium did not print {page}: {exc}") from None
        if not data:
            raise PdfError(f"Chromium printed no PDF for {page}")
        return data

    def numbers(self, total: int) -> bytes:
        """A PDF of ``total`` A4 pages that hold only "pagina n van total" in the footer."""
        body = "".join(NUMBER_PAGE.format(n=n, total=total) for n in range(1, total + 1))
        page = Path(self._tmp.name) / "paginanummers.html"
        page.write_text('<!DOCTYPE html><html lang="nl"><head><meta charset="utf-8"><title>paginanummers</title>'
                        "<style>@page { size: A4; margin: 0 } body { margin: 0 }</style></head>"
                        f"<body>{body}</body></html>", encoding="utf-8")
        return self._pool.submit(self._print_plain, page).result()

    def _print_plain(self, page: Path) -> bytes:
        if self._browser is None:
            self._browser = _Browser(self._exe, Path(self._tmp.name) / "profile", self._timeout)
        return self._browser.print_page(page, numbered_later=False)

    def submit(self, page: Path) -> Future[bytes]:
        """Start printing ``page`` (once per path); the future gives the PDF bytes."""
        key = Path(page).resolve()
        with self._lock:
            if key not in self._pages:
                self._pages[key] = self._pool.submit(self._print, key)
            return self._pages[key]

    def pdf(self, page: Path) -> bytes:
        return self.submit(page).result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        if self._browser is not None:
            self._browser.close()
            self._browser = None
        self._tmp.cleanup()

    def __enter__(self) -> Printer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def number_pages(writer: Any, numbers: bytes) -> None:
    """Stamp "pagina n van N" on every page of ``writer`` from the one-number-per-page PDF ``numbers``."""
    import io

    from pypdf import PdfReader

    stamps = PdfReader(io.BytesIO(numbers)).pages
    if len(stamps) != len(writer.pages):
        raise PdfError(f"the page numbers came out as {len(stamps)} pages for a report of {len(writer.pages)}")
    for page, stamp in zip(writer.pages, stamps):
        page.merge_page(stamp)


def print_pdf(pages: Sequence[Path], target: Path, *, timeout: float = 120, printer: Printer | None = None) -> Path:
    """Print ``pages`` (HTML files) to A4 PDF and join them, in order, into ``target`` (atomically).

    The joined PDF is numbered once ("pagina n van N" over all pages, :func:`number_pages`): each HTML
    page's own count is left out of the print, because it would start again at 1 in every chapter.

    With ``printer`` pages it already printed (or is printing) are taken from it; without one a
    printer is started for these pages and stopped afterwards.
    """
    import io

    from pypdf import PdfWriter

    if printer is None:
        with Printer(timeout=timeout) as own:
            return print_pdf(pages, target, printer=own)
    for page in pages:
        printer.submit(page)
    writer = PdfWriter()
    for page in pages:
        writer.append(io.BytesIO(printer.pdf(page)))
    number_pages(writer, printer.numbers(len(writer.pages)))
    with files.atomic_path(Path(target)) as tmp_target:
        with open(tmp_target, "wb") as handle:
            writer.write(handle)
    return Path(target)

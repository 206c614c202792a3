"""A chapter's report as a PDF, rendered by WeasyPrint from the same HTML the browser
prints (the print stylesheet applies: WeasyPrint renders for print media).

WeasyPrint needs Pango from the system (`make pdf-deps` installs it on Debian); it is
imported on first use, so the rest of the app runs without it. Only the app's own static
files are fetched while rendering: any other address is refused.

A PDF costs an app server's worker seconds of CPU, so each person may ask for a few per
window (`count_pdf_request`, shared by every app server like the login throttle), and each
is rendered in a child process that is killed when REPORT_PDF_SECONDS have passed
(`render_pdf`): the worker answers and is free again whatever WeasyPrint is doing. A child
process rather than an alarm signal, because a signal reaches only the main thread (not a
threaded server's request) and only between Python bytecodes, not inside Pango's C code.
"""

import logging
import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

from core.extensions import db
from core.ratelimit import limiter

PAPER = {"a4": "A4", "letter": "letter"}
# WeasyPrint logs every screen-only rule of the shared stylesheets it skips; only errors
# are worth a line in the app's log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing."""


class PdfTooSlow(RuntimeError):
    """Rendering took longer than its time limit and was stopped."""


def count_pdf_request(user_id: int) -> int:
    """Count a report PDF asked for by this person; the seconds to wait when that goes past
    REPORT_PDF_MAX_PER_PERSON within REPORT_PDF_WINDOW_SECONDS (0: go ahead).

    As with sign-in attempts (accounts.services.authenticate), the request is counted and
    committed before the count is read, so parallel requests on several app servers cannot
    all slip under the limit; a refused one is taken back off the count.
    """
    cfg = current_app.config
    key, window = f"report-pdf:{user_id}", cfg["REPORT_PDF_WINDOW_SECONDS"]
    rl = limiter()
    rl.hit(key, window)
    db.session.commit()
    status = rl.status(key, window)
    if status.count <= cfg["REPORT_PDF_MAX_PER_PERSON"]:
        return 0
    rl.undo(key)
    db.session.commit()
    return status.retry_after


def _static_only(base_url: str):
    """A URL fetcher (WeasyPrint 70's interface) that reads the app's static files from
    disk, passes `data:` addresses (the chart) through, and refuses anything else."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    static = Path(current_app.static_folder or "static").resolve()
    # Below base_url, which ends with any sub-path the site is served on (/relay/static/).
    prefix = urlsplit(base_url).path.rstrip("/") + (current_app.static_url_path or "/static")
    prefix = prefix.rstrip("/") + "/"

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = urlsplit(url).path
            if not url.startswith(base_url) or not path.startswith(prefix):
                raise ValueError(f"not fetched while rendering a PDF: {url}")
            file = (static / path.removeprefix(prefix)).resolve()
            if not file.is_relative_to(static) or not file.is_file():
                raise ValueError(f"no such static file: {path}")
            kind = "text/css" if file.suffix == ".css" else "application/octet-stream"
            return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": kind})

    return StaticOnly(allowed_protocols=("http", "https", "data"))


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise PdfUnavailable(str(error)) from error
    return weasyprint


def _write_pdf(html: str, base_url: str, paper: str, fetcher) -> bytes:
    weasyprint = _weasyprint()
    # A user stylesheet: !important wins over the print stylesheet's `size: auto`.
    page = weasyprint.CSS(string=f"@page {{ size: {PAPER.get(paper, 'A4')} !important; }}")
    document = weasyprint.HTML(string=html, base_url=base_url, url_fetcher=fetcher)
    # Tagged PDF/UA-1: a screen reader follows the headings, tables and the charts' text
    # alternatives. Title, author and creation date come from the page's <title> and
    # <meta name="author"> / <meta name="dcterms.created"> (templates/national/report.html).
    return document.write_pdf(stylesheets=[page], pdf_variant="pdf/ua-1")


def _render_in_child(send: Connection, html: str, base_url: str, paper: str, fetcher) -> None:
    try:
        send.send(("pdf", _write_pdf(html, base_url, paper, fetcher)))
    except Exception as error:  # reported to the parent, which raises it
        send.send(("error", f"{type(error).__name__}: {error}"))


def render_pdf(html: str, base_url: str, paper: str, seconds: float) -> bytes:
    """The PDF, rendered in a forked child process that is killed after `seconds`
    (PdfTooSlow). The child only renders: it touches neither the database nor the request,
    and leaves with os._exit (multiprocessing's fork), so it closes nothing of the parent's.
    """
    _weasyprint()  # imported here first: PdfUnavailable without a child, and warm children
    fetcher = _static_only(base_url)  # reads the app's settings, which the child need not
    fork = multiprocessing.get_context("fork")
    receive, send = fork.Pipe(duplex=False)
    child = fork.Process(
        target=_render_in_child, args=(send, html, base_url, paper, fetcher), daemon=True
    )
    child.start()
    send.close()  # the child holds its own copy: end of file means it stopped
    try:
        if not receive.poll(seconds):
            raise PdfTooSlow(f"the PDF took longer than {seconds} s")
        try:
            kind, payload = receive.recv()
        except EOFError:  # it stopped without an answer (killed, out of memory)
            kind, payload = "error", "the renderer stopped without an answer"
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receive.close()
    if kind != "pdf":
        raise RuntimeError(f"PDF not rendered (exit code {child.exitcode}): {payload}")
    return payload

"""A chapter's report as a PDF, rendered by WeasyPrint from the same HTML the browser
prints (the print stylesheet applies: WeasyPrint renders for print media).

WeasyPrint needs Pango from the system (`make pdf-deps` installs it on Debian); it is
imported on first use, so the rest of the app runs without it. Only the app's own static
files are fetched while rendering: any other address is refused.
"""

import logging
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app

PAPER = {"a4": "A4", "letter": "letter"}
# WeasyPrint logs every screen-only rule of the shared stylesheets it skips; only errors
# are worth a line in the app's log.
logging.getLogger("weasyprint").setLevel(logging.ERROR)


class PdfUnavailable(RuntimeError):
    """WeasyPrint or its system libraries are missing."""


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


def render_pdf(html: str, base_url: str, paper: str) -> bytes:
    try:
        from weasyprint import CSS, HTML
    except (ImportError, OSError) as error:  # OSError: Pango's libraries are missing
        raise PdfUnavailable(str(error)) from error
    # A user stylesheet: !important wins over the print stylesheet's `size: auto`.
    page = CSS(string=f"@page {{ size: {PAPER.get(paper, 'A4')} !important; }}")
    document = HTML(string=html, base_url=base_url, url_fetcher=_static_only(base_url))
    return document.write_pdf(stylesheets=[page])

"""The report PDF reads the site's own stylesheets and images, at the root of its host or
below a path (BASE_URL=https://example.org/relay), and nothing else."""

from pathlib import Path

import pytest

from national.pdf import _static_only


def _weasyprint_missing() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as error:
        return f"WeasyPrint cannot load here ({error}); `make pdf-deps` installs Pango as root"
    return None


pytestmark = pytest.mark.skipif(
    _weasyprint_missing() is not None, reason=str(_weasyprint_missing())
)


@pytest.mark.parametrize("root", ["https://relay.example.org/", "https://example.org/relay/"])
def test_the_pdf_reads_the_sites_static_files(app, root):
    fetch = _static_only(root).fetch
    style = fetch(f"{root}static/css/print.css?v=0123456789ab")
    assert style.read() == (Path(app.static_folder) / "css" / "print.css").read_bytes()
    assert fetch(f"{root}static/img/relay-logo.svg").read().startswith(b"<svg")


@pytest.mark.parametrize(
    "url",
    [
        "https://elsewhere.example/static/css/print.css",
        "https://example.org/static/css/print.css",  # the host's root, not the site's
        "https://example.org/relay/login",
        "https://example.org/relay/static/../config.py",
        "https://example.org/relay/static/css/missing.css",
    ],
)
def test_the_pdf_fetches_nothing_else(app, url):
    with pytest.raises(ValueError):
        _static_only("https://example.org/relay/").fetch(url)

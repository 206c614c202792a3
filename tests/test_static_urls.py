"""Static URLs carry a digest of their file, so the proxy may cache them for a year."""

import hashlib
import os
import re
from pathlib import Path

from flask import url_for

from core.static import static_version


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def test_pages_link_static_files_by_a_digest_of_their_content(app, client):
    html = client.get("/login").get_data(as_text=True)
    links = re.findall(r'(?:href|src)="(/static/[^"?]+)\?v=([0-9a-f]+)"', html)
    assert {path for path, _ in links} >= {"/static/css/relay.css", "/static/favicon.svg"}
    static = Path(app.static_folder)
    for path, version in links:
        assert version == _digest(static / path.removeprefix("/static/")), path
        assert client.get(f"{path}?v={version}").status_code == 200
    assert not re.search(r'(?:href|src)="/static/[^"?]+"', html), "a static link without ?v="


def test_a_changed_file_gets_a_new_version(tmp_path):
    style = tmp_path / "css" / "site.css"
    style.parent.mkdir()
    style.write_text("body { color: black }")
    first = static_version(str(tmp_path), "css/site.css")
    assert first == _digest(style)
    style.write_text("body { color: navy }")
    os.utime(style, ns=(1, 2_000_000_000_000_000_000))  # a different mtime, whatever the clock
    assert static_version(str(tmp_path), "css/site.css") == _digest(style) != first


def test_a_missing_or_outside_file_has_no_version(app, tmp_path):
    assert static_version(str(tmp_path), "missing.css") is None
    assert static_version(str(tmp_path), "../etc/passwd") is None
    with app.test_request_context():
        assert url_for("static", filename="missing.css") == "/static/missing.css"
        assert url_for("static", filename="favicon.svg", v="pinned").endswith("?v=pinned")

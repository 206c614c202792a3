"""Static file URLs carry a digest of the file (`/static/css/relay.css?v=1a2b3c4d5e6f`), so a
proxy or browser may keep them for a year: a changed file is a new URL.

The digest is taken on first use and again only when the file's size or modification time
changes, so editing a stylesheet in development shows at once.
"""

import hashlib
import os
from functools import lru_cache

from flask import Flask
from werkzeug.security import safe_join

VERSION_ARG = "v"


@lru_cache(maxsize=512)
def _digest(path: str, _mtime_ns: int, _size: int) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()[:12]


def static_version(folder: str, filename: str) -> str | None:
    """The digest of `folder/filename`, or None when there is no such file."""
    path = safe_join(folder, filename)
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return _digest(path, stat.st_mtime_ns, stat.st_size)


def version_static_urls(app: Flask) -> None:
    """`url_for('static', filename=...)` adds `?v=<digest>`; the static route ignores it."""
    folder = app.static_folder
    if folder is None:
        return

    @app.url_defaults
    def _add_version(endpoint: str, values: dict) -> None:
        if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
            return
        version = static_version(folder, values["filename"])
        if version is not None:
            values[VERSION_ARG] = version

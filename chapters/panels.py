"""Panels that features to the right of chapters add to the chapter home page.

A feature registers its panel when its blueprint is registered:

    @bp.record_once
    def _add_home_panel(state):
        add_home_panel(state.app, "campaigns/_home_panel.html", campaign_panel_data)

`data(chapter)` returns what the template needs. The chapter home includes each
registered template, in registration order, with `panel.data` holding that dict (and
`chapter` as on the rest of the page). The registry lives on `app.extensions`, so every
app built by the factory has its own and nothing is kept in module state.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app

from chapters.models import Chapter

EXTENSION = "relay.chapter_home_panels"


@dataclass(frozen=True)
class HomePanel:
    template: str
    data: Callable[[Chapter], dict[str, Any]]


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    data: dict[str, Any]


def add_home_panel(app: Flask, template: str, data: Callable[[Chapter], dict[str, Any]]) -> None:
    app.extensions.setdefault(EXTENSION, []).append(HomePanel(template, data))


def home_panels(chapter: Chapter) -> list[RenderedPanel]:
    """Every registered panel with its data for this chapter, for the chapter home template."""
    return [
        RenderedPanel(p.template, p.data(chapter))
        for p in current_app.extensions.get(EXTENSION, [])
    ]

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

from chapters.models import Chapter, Membership

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


# --- the signed-in home, "my week" ----------------------------------------------------------
#
# The home page (chapters.home) has four blocks: my next actions, what needs me, my chapters
# and, for leaders, the chapters' gaps. Features to the right of chapters fill them the same
# way as the chapter home panels:
#
#     add_week_panel(state.app, my_week_data, next="campaigns/_week_next.html", ...)
#
# `data(user, memberships)` gets the person and their active memberships (with chapters) and
# returns what the templates need; a "needs" and a "gaps" number in it count the items the
# panel adds to those blocks, so the page can say when nothing needs the person. Each slot
# (next, needs, needs_empty, chapter, gaps) names the template included there; "chapter" is
# included once per chapter row, with `m` the membership of that row; "needs_empty" inside
# "What needs me" when nothing does (the panel's next steps for a calm week).

WEEK_EXTENSION = "relay.my_week_panels"
WEEK_SLOTS = ("next", "needs", "needs_empty", "chapter", "gaps")


@dataclass(frozen=True)
class WeekPanel:
    data: Callable[[Any, list[Membership]], dict[str, Any]]
    templates: dict[str, str]


def add_week_panel(
    app: Flask, data: Callable[[Any, list[Membership]], dict[str, Any]], **templates: str
) -> None:
    unknown = set(templates) - set(WEEK_SLOTS)
    if unknown:
        raise ValueError(f"Unknown home slots: {', '.join(sorted(unknown))}")
    app.extensions.setdefault(WEEK_EXTENSION, []).append(WeekPanel(data, templates))


@dataclass(frozen=True)
class RenderedWeekPanel:
    templates: dict[str, str]
    data: dict[str, Any]


def week_panels(user, memberships: list[Membership]) -> list[RenderedWeekPanel]:
    """Every registered home panel with its data for this person."""
    return [
        RenderedWeekPanel(p.templates, p.data(user, memberships))
        for p in current_app.extensions.get(WEEK_EXTENSION, [])
    ]

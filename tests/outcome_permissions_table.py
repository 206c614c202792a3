"""The outcome and evidence rows of CAMPAIGN_ROUTE_EXPECTATIONS.

Imported by tests/campaign_permissions_table.py, whose helpers it uses: import the
expectations from there, not from this module.
"""

from demo_outcomes import tiny_png
from tests.campaign_permissions_table import (
    action_url,
    managers,
    readers,
    route,
    start_the_action,
)
from tests.campaign_permissions_world import DONE, OK, REFUSED, Route, World
from tests.factories import make_evidence_file, make_outcome

# The lead of the action logs and edits its outcome and removes its files, like a leader.
LOGGERS_OK = managers(OK) | {"lead_a": OK}
LOGGERS_DONE = managers(DONE) | {"lead_a": DONE}


def outcome_form(w: World) -> dict:
    return {
        "attendance": "12",
        "people_reached": "40",
        "commitments": "1",
        "media_pieces": "",
        "signatures": "",
        "metrics-0-name": "Flyers",
        "metrics-0-value": "300",
        "metrics-0-unit": "flyers",
        "narrative": "We met the dean.",
        "reflection": "I let others speak.",
        "domain_keys": ["fostering_teamwork"],
        "link_urls-0": "https://example.org/minutes",
    }


def log_an_outcome_with_a_file(w: World) -> None:
    if "file" in w.extra:  # prepared already (the isolation test prepares every route)
        return
    outcome = make_outcome(w.action, attendance=10)
    f = make_evidence_file(outcome, tiny_png(), mime_type="image/png", by=w.people["lead_a"])
    w.extra["file"] = f.id


def evidence_url(path: str = ""):
    return lambda w: f"/c/{w.a.slug}/evidence/{w.extra['file']}{path}"


def outcome_routes() -> list[Route]:
    return [
        route(
            "campaigns.log_outcome",
            "GET",
            action_url("/outcome"),
            prepare=start_the_action,
            **LOGGERS_OK,
        ),
        route(
            "campaigns.log_outcome",
            "POST",
            action_url("/outcome"),
            prepare=start_the_action,
            data=outcome_form,
            **LOGGERS_DONE,
        ),
        # Before the action is over there is nothing to log: told so, nothing changes.
        route(
            "campaigns.log_outcome",
            "POST",
            action_url("/outcome"),
            data=outcome_form,
            label="not over yet",
            **managers(REFUSED) | {"lead_a": REFUSED},
        ),
        # Files are read by whoever reads the chapter; another chapter's member gets 404.
        route(
            "campaigns.evidence_file",
            "GET",
            evidence_url(),
            prepare=log_an_outcome_with_a_file,
            **readers(),
        ),
        route(
            "campaigns.remove_evidence",
            "GET",
            evidence_url("/remove"),
            prepare=log_an_outcome_with_a_file,
            **LOGGERS_OK,
        ),
        route(
            "campaigns.remove_evidence",
            "POST",
            evidence_url("/remove"),
            prepare=log_an_outcome_with_a_file,
            **LOGGERS_DONE,
        ),
    ]

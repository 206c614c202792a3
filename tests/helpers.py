"""Small assertions shared by the permission-matrix test modules."""

from urllib.parse import urlsplit

from sqlalchemy import select

from core.extensions import db

# Every table a campaigns request could change (test_campaign_permissions_*, test_refusals_*).
SNAPSHOT_TABLES = (
    "campaigns",
    "milestones",
    "actions",
    "action_signups",
    "lead_assignments",
    "rotation_pool_members",
    "swap_requests",
    "unavailabilities",
    "outcomes",
    "outcome_domains",
    "outcome_metrics",
    "evidence_links",
    "evidence_files",
    "playbooks",
    "playbook_steps",
    "milestone_submissions",
    "milestone_decisions",
    "submission_outcomes",
    "chapters",
    "users",
    "audit_events",
    "outbox_messages",
)


def table_snapshot(tables: tuple[str, ...]) -> dict[str, list]:
    """Every row of these tables, read on a connection of its own (to compare before/after)."""
    with db.engine.connect() as conn:
        return {
            name: [
                tuple(row)
                for row in conn.execute(
                    select(db.metadata.tables[name]).order_by(
                        *db.metadata.tables[name].primary_key.columns
                    )
                )
            ]
            for name in tables
        }


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and urlsplit(response.location).path == "/login"

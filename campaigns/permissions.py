"""Plain predicates for campaigns and actions. `m` is the user's active Membership or None."""

from chapters.models import ChapterStatus, Role


def _open(chapter) -> bool:
    return chapter.status != ChapterStatus.ARCHIVED


def can_manage_campaigns(user, m, chapter) -> bool:
    """Create and edit campaigns, actions and pools, and assign leads: the chapter's leaders."""
    return bool(m is not None and m.role == Role.LEADER and _open(chapter))


def can_edit_action(user, m, action) -> bool:
    """Leaders, and the action's own lead."""
    chapter = action.campaign.chapter
    return can_manage_campaigns(user, m, chapter) or bool(
        m is not None and action.lead_id == user.id and _open(chapter)
    )


def can_take_part(user, m, chapter) -> bool:
    """Sign up for actions, join rotation pools, accept swaps: student members and leaders."""
    return bool(m is not None and m.is_participant and _open(chapter))


def can_sign_off(user, m, chapter) -> bool:
    """Approve, return and reopen milestones, decide addenda: the chapter's faculty advisors."""
    return bool(m is not None and m.role == Role.ADVISOR and _open(chapter))


def can_log_outcome(user, m, action) -> bool:
    """Log and edit an action's outcome and its evidence: the action's lead and leaders."""
    return can_edit_action(user, m, action)


def can_read_evidence(user, m, chapter) -> bool:
    """Evidence files: whoever may read the chapter (its members of any role, national staff).

    The chapter loader has already refused everyone else with a 404; this names the rule."""
    return bool(user.is_authenticated and (m is not None or user.is_staff))

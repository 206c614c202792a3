"""Chapter operations: chapters, the roster, invitations and the vision. They flush; views commit.

Import from here (`from chapters.services import participants`): each sub-domain has its
own module, and this package names the operations other features and the views use.
"""

from chapters.services.chapters import (
    CHAPTER_FIELDS,
    active_member_counts,
    archive_chapter,
    chapter_count,
    chapter_regions,
    create_chapter,
    find_chapters,
    my_memberships,
    update_chapter,
)
from chapters.services.invitations import (
    accept_invitation,
    create_account_from_invitation,
    find_invitation,
    invite,
    pending_invitations,
    resend_invitation,
    revoke_invitation,
)
from chapters.services.roster import (
    HealthCheck,
    active_roster,
    change_role,
    end_membership,
    join_chapter,
    membership_of,
    participants,
    roster_health,
    roster_page,
)
from chapters.services.vision import (
    adopt_if_endorsed,
    adopted_vision,
    adoption_rule,
    eligible_voters,
    open_proposal,
    propose_vision,
    respond_to_vision,
    vision_history,
    vision_tally,
    withdraw_vision,
)

__all__ = [
    "CHAPTER_FIELDS",
    "HealthCheck",
    "accept_invitation",
    "active_member_counts",
    "active_roster",
    "adopt_if_endorsed",
    "adopted_vision",
    "adoption_rule",
    "archive_chapter",
    "change_role",
    "chapter_count",
    "chapter_regions",
    "create_account_from_invitation",
    "create_chapter",
    "eligible_voters",
    "end_membership",
    "find_chapters",
    "find_invitation",
    "invite",
    "join_chapter",
    "membership_of",
    "my_memberships",
    "open_proposal",
    "participants",
    "pending_invitations",
    "propose_vision",
    "resend_invitation",
    "respond_to_vision",
    "revoke_invitation",
    "roster_health",
    "roster_page",
    "update_chapter",
    "vision_history",
    "vision_tally",
    "withdraw_vision",
]

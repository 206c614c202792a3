"""Plain predicates: who may do what in a chapter. `m` is the user's active Membership or None."""

from accounts.models import UserKind
from chapters.models import Chapter, ChapterStatus, Membership, Role

# Which roles each kind of inviter may hand out.
INVITABLE_ROLES = {
    Role.LEADER: (Role.MEMBER, Role.LEADER),
    Role.ADVISOR: (Role.MEMBER, Role.LEADER, Role.ADVISOR),
    "staff": (Role.MEMBER, Role.LEADER, Role.ADVISOR),
}


def can_view_chapter(user, m: Membership | None) -> bool:
    return bool(user.is_authenticated and (user.is_staff or m is not None))


def can_edit_chapter(user) -> bool:
    return bool(user.is_authenticated and user.is_staff)


def can_create_chapter(user) -> bool:
    return can_edit_chapter(user)


def can_manage_roster(user, m: Membership | None) -> bool:
    """Change roles and remove members: the chapter's leaders and advisors, and admins."""
    return bool(m is not None and m.role in (Role.LEADER, Role.ADVISOR)) or bool(
        user.is_authenticated and user.is_admin
    )


# Which roles fit which kind of person: student leaders are students; advisors are faculty.
ROLES_FOR_KIND = {
    UserKind.STUDENT: (Role.MEMBER, Role.LEADER),
    UserKind.FACULTY: (Role.MEMBER, Role.ADVISOR),
}


def settable_roles(user, m: Membership | None, target: Membership) -> tuple[str, ...]:
    """The roles this user may give `target` (empty: they may not change it).

    Advisors and admins set any fitting role; leaders move students between member
    and leader, and leave advisors' roles alone.
    """
    fitting = ROLES_FOR_KIND.get(target.user.kind, (Role.MEMBER,))
    if (user.is_authenticated and user.is_admin) or (m is not None and m.role == Role.ADVISOR):
        return fitting
    if m is not None and m.role == Role.LEADER and target.role != Role.ADVISOR:
        return tuple(r for r in fitting if r in (Role.MEMBER, Role.LEADER))
    return ()


def can_remove_member(user, m: Membership | None, target: Membership) -> bool:
    """Leaders remove members and leaders; advisors and admins remove anyone."""
    if not can_manage_roster(user, m):
        return False
    return (
        target.role != Role.ADVISOR or user.is_admin or (m is not None and m.role == Role.ADVISOR)
    )


def invitable_roles(user, m: Membership | None) -> tuple[str, ...]:
    """The roles this user may invite people to; empty if they may not invite."""
    if user.is_authenticated and user.is_staff:
        return INVITABLE_ROLES["staff"]
    if m is not None and m.role in INVITABLE_ROLES:
        return INVITABLE_ROLES[m.role]
    return ()


def can_invite(user, m: Membership | None) -> bool:
    return bool(invitable_roles(user, m))


def counts_for_vision(m: Membership | None) -> bool:
    """Whether this membership's endorsement counts (Membership.counts_for_vision)."""
    return bool(m is not None and m.counts_for_vision)


def can_propose_vision(user, m: Membership | None, chapter: Chapter) -> bool:
    return chapter.status != ChapterStatus.ARCHIVED and counts_for_vision(m)


def can_comment_vision(user, m: Membership | None, chapter: Chapter) -> bool:
    return chapter.status != ChapterStatus.ARCHIVED and m is not None


def can_withdraw_vision(user, m: Membership | None, proposer_id: int) -> bool:
    return m is not None and (user.id == proposer_id or m.role == Role.LEADER)


def can_read_activity(user, m: Membership | None) -> bool:
    """A chapter's whole activity log: its faculty advisors, and national staff."""
    return bool(
        user.is_authenticated and (user.is_staff or (m is not None and m.role == Role.ADVISOR))
    )


def can_read_network_activity(user) -> bool:
    """Every chapter's log, and sign-ins and accounts: national staff."""
    return bool(user.is_authenticated and user.is_staff)

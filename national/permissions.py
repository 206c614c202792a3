"""Plain predicates: who may compare chapters and read a chapter's report."""

from chapters.models import Membership, Role


def can_compare_chapters(user) -> bool:
    """The dashboard, the definitions of the network and its exports: national staff."""
    return bool(user.is_authenticated and user.is_staff)


def can_read_report(user, m: Membership | None) -> bool:
    """A chapter's report: national staff, and the chapter's own leaders and advisors."""
    if can_compare_chapters(user):
        return True
    return m is not None and m.role in (Role.LEADER, Role.ADVISOR)

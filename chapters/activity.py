"""How the activity log names chapters, memberships, invitations and visions, and words
their events (registered with core.activity when the blueprint is)."""

from flask import Flask
from sqlalchemy import Select, String, cast, select

from accounts.models import User
from chapters.models import Chapter, Invitation, Membership, VisionVersion
from core.activity import add_action_words, add_object_kind


def _chapter_names(ids: set[int]) -> Select:
    return select(Chapter.id, Chapter.name).where(Chapter.id.in_(ids))


def _membership_names(ids: set[int]) -> Select:
    return (
        select(Membership.id, User.display_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.id.in_(ids))
    )


def _invitation_names(ids: set[int]) -> Select:
    return select(Invitation.id, Invitation.email).where(Invitation.id.in_(ids))


def _vision_names(ids: set[int]) -> Select:
    return select(VisionVersion.id, cast(VisionVersion.number, String)).where(
        VisionVersion.id.in_(ids)
    )


def register_activity(app: Flask) -> None:
    add_object_kind(app, "chapters", "Chapter", _chapter_names)
    add_object_kind(app, "memberships", "Membership", _membership_names)
    add_object_kind(app, "invitations", "Invitation", _invitation_names, "the invitation for {}")
    add_object_kind(app, "vision_versions", "Vision", _vision_names, "version {} of the vision")
    add_action_words(
        app,
        {
            "chapter.created": "{actor} created {object}",
            "chapter.updated": "{actor} edited the details of {object}",
            "chapter.archived": "{actor} archived {object}",
            "membership.joined": "{object} joined {chapter} as {after.role}",
            "membership.left": "{object} left {chapter}",
            "membership.removed": "{actor} removed {object} from {chapter}",
            "membership.role_changed": "{actor} made {object} {after.role} (was {before.role})",
            "invitation.accepted": "{actor} accepted an invitation to {chapter} as {after.role}",
            "vision.proposed": "{actor} proposed {object}",
            "vision.responded": "{actor} responded to {object}: {after.stance}",
            "vision.adopted": "{object} was adopted at {chapter}",
            "vision.superseded": "{object} was superseded by version {after.by}",
            "vision.withdrawn": "{actor} withdrew {object}",
        },
    )
    # Invitations name people who are not members yet: for the chapter's managers only.
    add_action_words(
        app,
        {
            "invitation.created": "{actor} invited {after.email} to {chapter} as {after.role}",
            "invitation.resent": "{actor} sent the invitation for {after.email} again",
            "invitation.revoked": "{actor} revoked the invitation for {after.email}",
        },
        shared=False,
    )

"""Roles and statuses are StrEnums; each label mapping covers exactly its members."""

import pytest

from accounts.models import KINDS, UserKind
from campaigns.models import (
    ACTION_KINDS,
    ACTION_STATUSES,
    CAMPAIGN_STATUSES,
    CAMPAIGN_TRANSITIONS,
    MILESTONE_STATUSES,
    ActionKind,
    ActionStatus,
    CampaignStatus,
    MilestoneStatus,
)
from chapters.models import (
    CHAPTER_STATUSES,
    ROLES,
    STANCES,
    VISION_STATUSES,
    ChapterStatus,
    Role,
    Stance,
    VisionStatus,
)


@pytest.mark.parametrize(
    ("labels", "enum"),
    [
        (KINDS, UserKind),
        (CHAPTER_STATUSES, ChapterStatus),
        (ROLES, Role),
        (VISION_STATUSES, VisionStatus),
        (STANCES, Stance),
        (CAMPAIGN_STATUSES, CampaignStatus),
        (CAMPAIGN_TRANSITIONS, CampaignStatus),
        (ACTION_KINDS, ActionKind),
        (ACTION_STATUSES, ActionStatus),
        (MILESTONE_STATUSES, MilestoneStatus),
    ],
)
def test_label_mapping_covers_the_enum(labels, enum):
    assert list(labels) == list(enum)


def test_members_are_the_stored_strings():
    # Columns stay String: a member compares, hashes and renders as its value.
    assert Role.LEADER == "leader"
    assert ROLES.get("leader") == "Student leader"
    assert f"{CampaignStatus.ACTIVE}" == "active"

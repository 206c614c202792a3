"""The kinds of notification, how each is delivered by default, and their labels."""

from enum import StrEnum


class Kind(StrEnum):
    INVITATION_ACCEPTED = "invitation_accepted"
    LEAD_ASSIGNED = "lead_assigned"
    LEAD_HANDED_OFF = "lead_handed_off"
    SWAP_ASKED = "swap_asked"
    SWAP_ACCEPTED = "swap_accepted"
    ACTION_CHANGED = "action_changed"
    ACTION_CANCELLED = "action_cancelled"
    ACTION_TOMORROW = "action_tomorrow"
    VISION_PROPOSED = "vision_proposed"
    VISION_ADOPTED = "vision_adopted"
    SIGNOFF_REQUESTED = "signoff_requested"
    MILESTONE_APPROVED = "milestone_approved"
    MILESTONE_RETURNED = "milestone_returned"
    SIGNOFF_WITHDRAWN = "signoff_withdrawn"
    SIGNOFF_OVERDUE = "signoff_overdue"


class Delivery(StrEnum):
    IMMEDIATE = "immediate"
    DIGEST = "digest"
    IN_APP = "in_app"


DELIVERIES: dict[str, str] = {
    Delivery.IMMEDIATE: "Email at once",
    Delivery.DIGEST: "Daily digest",
    Delivery.IN_APP: "In Relay only",
}

# In the order the settings page lists them.
KIND_LABELS: dict[str, str] = {
    Kind.LEAD_ASSIGNED: "You are assigned to lead an action",
    Kind.LEAD_HANDED_OFF: "An action is handed off to you",
    Kind.SWAP_ASKED: "A lead asks for a swap you could take",
    Kind.SWAP_ACCEPTED: "Someone takes over an action you asked to swap",
    Kind.ACTION_CHANGED: "An action you are in changes time or place",
    Kind.ACTION_CANCELLED: "An action you are in is cancelled",
    Kind.ACTION_TOMORROW: "Reminder: an action you are in is tomorrow",
    Kind.VISION_PROPOSED: "A vision proposal opens in your chapter",
    Kind.VISION_ADOPTED: "Your chapter adopts a vision",
    Kind.INVITATION_ACCEPTED: "Someone accepts your invitation",
    Kind.SIGNOFF_REQUESTED: "A milestone waits for your sign-off",
    Kind.SIGNOFF_OVERDUE: "Reminder: a sign-off is overdue",
    Kind.MILESTONE_APPROVED: "A milestone is approved",
    Kind.MILESTONE_RETURNED: "A milestone is returned",
    Kind.SIGNOFF_WITHDRAWN: "A waiting sign-off is withdrawn (its campaign is archived)",
}

# What matters now comes at once; the rest waits for the daily digest.
DEFAULT_DELIVERY: dict[str, str] = {
    kind: (
        Delivery.IMMEDIATE
        if kind in (Kind.SIGNOFF_REQUESTED, Kind.LEAD_ASSIGNED)
        else Delivery.DIGEST
    )
    for kind in Kind
}

# The one-click link of a digest email turns every digest kind into in-app only.
DIGEST_TOKEN_KIND = "digest"  # nosec B105 # noqa: S105 - a kind name, not a secret

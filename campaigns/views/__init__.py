"""Routes of the campaigns blueprint, one module per sub-domain; importing them registers them."""

from campaigns.views import (  # noqa: F401
    actions,
    calendars,
    campaigns,
    leads,
    outcomes,
    playbooks,
    signoff,
)

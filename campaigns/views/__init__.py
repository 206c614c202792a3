"""Routes of the campaigns blueprint, one module per sub-domain; importing them registers them."""

from campaigns.views import actions, calendars, campaigns, leads, outcomes, playbooks  # noqa: F401

"""Campaigns: arrives with its issue."""

"""Chapters: arrives with its issue."""

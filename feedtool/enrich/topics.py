"""Enricher: topics (to be written)."""

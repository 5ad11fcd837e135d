"""Enricher: languages (to be written)."""

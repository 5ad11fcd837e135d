"""Enricher: keywords (to be written)."""

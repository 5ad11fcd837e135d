"""Enricher: dates (to be written)."""

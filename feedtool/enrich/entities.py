"""Enricher: entities (to be written)."""

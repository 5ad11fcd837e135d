"""Renderer: jsonld (to be written)."""

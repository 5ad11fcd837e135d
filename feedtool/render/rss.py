"""Renderer: rss (to be written)."""

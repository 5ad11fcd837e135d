"""Renderer: opml (to be written)."""

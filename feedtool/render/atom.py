"""Renderer: atom (to be written)."""

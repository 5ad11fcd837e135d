"""Renderer: ninjs (to be written)."""

"""Renderer: jsonfeed (to be written)."""

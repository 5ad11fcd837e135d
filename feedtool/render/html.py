"""Renderer: html (to be written)."""

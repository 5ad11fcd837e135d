"""Renderer: sitemap (to be written)."""

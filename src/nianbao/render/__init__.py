"""Renderers: a Report → text for terminals and files."""

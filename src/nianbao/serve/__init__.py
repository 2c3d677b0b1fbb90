"""The reviewers' workbench: `nianbao serve` (a web application over the corpus)."""

from .app import create_app

__all__ = ["create_app"]

"""The rules, grouped by what they look at; importing this package registers them all."""

from . import form, tables, text, years

__all__ = ["form", "tables", "text", "years"]

"""Report text in a Markdown document: escaped so that it shows as text in any viewer.

A Markdown viewer runs raw HTML (``<script>``, ``<img onerror=…>``) and follows links
(``[x](javascript:…)``) it finds in the text; an agency name or a section typed by someone else
must not do either. :func:`escape` writes ``<`` and ``&`` as the entities ``&lt;`` and ``&amp;``
(so no ``<`` is left, not even for a reader sniffing for ``<html``), ``[`` and ``\\`` as the
backslash escapes ``\\[`` and ``\\\\``. A viewer shows the original text; :func:`unescape`, which
the Markdown reader applies, gives it back exactly (also to any Markdown with these escapes).
"""

from __future__ import annotations

import re

_ESCAPES = {"&": "&amp;", "<": "&lt;", "[": "\\[", "\\": "\\\\"}
_ESCAPE = re.compile(r"[&<\[\\]")
_UNESCAPES = {"&amp;": "&", "&lt;": "<", "\\[": "[", "\\\\": "\\"}
_UNESCAPE = re.compile(r"&amp;|&lt;|\\\[|\\\\")


def escape(text: str) -> str:
    """Text as Markdown that a viewer shows as this text: no HTML, no links."""
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], text)


def unescape(text: str) -> str:
    """The text a Markdown document written by :func:`escape` shows (one pass, left to right)."""
    return _UNESCAPE.sub(lambda m: _UNESCAPES[m.group()], text)


__all__ = ["escape", "unescape"]

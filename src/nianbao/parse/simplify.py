"""Traditional-character reports: match them against the simplified template labels."""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ..document import Block, Grid, Paragraph

# Characters of the template vocabulary that differ between the two scripts.
_TRADITIONAL_HINTS = frozenset("資訊開報請處當屬規許罰強費審結總計應與權機關條於個為當")


_HINT_RE = re.compile("[" + "".join(sorted(_TRADITIONAL_HINTS)) + "]")


def looks_traditional(blocks) -> bool:
    sample = []
    for b in blocks[:400]:
        sample.append(b.text if isinstance(b, Paragraph) else "".join(c.text for r in b.rows for c in r))
    text = "".join(sample)
    hits = len(_HINT_RE.findall(text))
    return hits >= 5 and hits >= len(text) // 400


@lru_cache(maxsize=1)
def _converter():
    try:
        import opencc
    except ImportError:  # pragma: no cover - a base dependency
        return None
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    conv = _converter()
    return conv.convert(text) if conv is not None else text


def simplified(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """The blocks with traditional characters turned simplified (one for one, same order)."""
    if not looks_traditional(blocks):
        return blocks
    out: list[Block] = []
    for b in blocks:
        if isinstance(b, Paragraph):
            out.append(b._replace(text=to_simplified(b.text)))
        elif isinstance(b, Grid):
            rows = tuple(tuple(c._replace(text=to_simplified(c.text)) for c in r) for r in b.rows)
            out.append(replace(b, rows=rows))
        else:
            out.append(b)
    return tuple(out)

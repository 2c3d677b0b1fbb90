"""Decoding bytes of unknown encoding: UTF-8 (BOM or not), UTF-16, GB18030 (GBK), Big5."""

from __future__ import annotations

_KEYWORDS = ("政府信息公开", "政府資訊公開", "政府信息公開", "年度报告", "年度報告", "申请", "申請")


def _score(text: str) -> int:
    hits = sum(text.count(k) * 10 for k in _KEYWORDS)
    bad = text.count("\ufffd") + sum(1 for ch in text[:5000] if 0xE000 <= ord(ch) <= 0xF8FF)
    return hits - bad * 5


def decode_text(data: bytes) -> tuple[str | None, str | None]:
    """Decoded text and the encoding used, or (None, None) when no encoding fits."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    text = _mostly_utf8(data)
    if text is not None:
        return text, "utf-8"
    candidates: list[tuple[int, str, str]] = []
    for encoding in ("gb18030", "big5"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        candidates.append((_score(text), encoding, text))
    if not candidates:
        guess = _detect(data)
        if guess is None:
            return None, None
        return data.decode(guess, errors="replace"), guess
    candidates.sort(key=lambda c: -c[0])
    _, encoding, text = candidates[0]
    return text, encoding


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few broken bytes (a file cut inside a character, a stray byte), or None.

    Text in another encoding hardly ever holds valid multi-byte UTF-8 sequences, so many of
    them against a handful of bad bytes means UTF-8; the bad bytes become U+FFFD.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    wide = len(text) - len(text.encode("ascii", "ignore")) - bad  # non-ASCII characters, without a loop
    if bad and wide >= 20 * bad:
        return text
    return None


def _detect(data: bytes) -> str | None:
    """charset-normalizer's guess, with any GB label read as its superset GB18030."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - a dependency
        return None
    best = from_bytes(data[:200000]).best()
    if best is None:
        return None
    name = best.encoding.lower()
    if name in ("gb2312", "gbk", "hz", "gb18030", "cp936"):
        return "gb18030"
    return name

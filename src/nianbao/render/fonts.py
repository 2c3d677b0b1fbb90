"""Finding the CJK font a rendered PDF embeds (without one, Chinese comes out as empty boxes).

Order: the folders in NIANBAO_FONT_DIRS when that variable is set (only those: a test or a
packager points the search exactly where it wants), else fontconfig (`fc-list :lang=zh`), else
the usual font folders of Linux, macOS and Windows. A font fontconfig knows is named by its
family; one found in a folder is loaded from its file (CSS @font-face). The answer is cached
per value of NIANBAO_FONT_DIRS: one `fc-list` call (a few milliseconds) a process.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

ENV = "NIANBAO_FONT_DIRS"
FONT_SUFFIXES = (".ttf", ".ttc", ".otf", ".otc")

# File-name prefixes (lower case) of well-known CJK fonts → family, best first: the font
# scripts/system-deps installs, then Simplified Chinese faces, then the multi-language ones.
KNOWN: tuple[tuple[str, str], ...] = (
    ("wqy-microhei", "WenQuanYi Micro Hei"),
    ("wqy-zenhei", "WenQuanYi Zen Hei"),
    ("notosanscjksc-", "Noto Sans CJK SC"),
    ("notosanssc-", "Noto Sans SC"),
    ("notoserifcjksc-", "Noto Serif CJK SC"),
    ("notoserifsc-", "Noto Serif SC"),
    ("sourcehansanssc-", "Source Han Sans SC"),
    ("sourcehanserifsc-", "Source Han Serif SC"),
    ("simsun", "SimSun"),
    ("simhei", "SimHei"),
    ("msyh", "Microsoft YaHei"),
    ("pingfang", "PingFang SC"),
    ("hiragino sans gb", "Hiragino Sans GB"),
    ("stheiti", "STHeiti"),
    ("notosanscjk", "Noto Sans CJK SC"),
    ("notoserifcjk", "Noto Serif CJK SC"),
    ("sourcehansans", "Source Han Sans SC"),
    ("sourcehanserif", "Source Han Serif SC"),
    ("droidsansfallback", "Droid Sans Fallback"),
)
PREFERRED = tuple(family for _, family in KNOWN)

_WEIGHTS = ("bold", "light", "thin", "black", "medium", "heavy", "semibold", "extralight")

DEFAULT_DIRS = (
    "/usr/share/fonts",
    "/usr/local/share/fonts",
    "~/.local/share/fonts",
    "~/.fonts",
    "/Library/Fonts",
    "/System/Library/Fonts",
    "~/Library/Fonts",
    "C:/Windows/Fonts",
)


@dataclass(frozen=True)
class CjkFont:
    family: str
    path: str
    fontconfig: bool  # known to fontconfig: named by family, no @font-face needed


def cjk_font() -> CjkFont | None:
    """The CJK font for PDF output, or None when this machine has none nianbao can find."""
    return _search(os.environ.get(ENV))


@functools.cache
def _search(dirs: str | None) -> CjkFont | None:
    if dirs is not None:
        return _scan([d for d in dirs.split(os.pathsep) if d])
    return _fontconfig() or _scan(list(DEFAULT_DIRS))


def _fontconfig() -> CjkFont | None:
    """The best Chinese-capable family fontconfig lists, its file existing."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return None
    try:
        out = subprocess.run(
            [fc_list, "-f", "%{family[0]}\t%{file}\n", ":lang=zh"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found: dict[str, str] = {}
    for line in out.splitlines():
        family, _, path = line.partition("\t")
        if family and path and Path(path).is_file():
            found.setdefault(family, path)
    if not found:
        return None
    rank = {f: i for i, f in enumerate(PREFERRED)}
    family = min(found, key=lambda f: (rank.get(f, len(rank)), "mono" in f.lower(), f))
    return CjkFont(family, found[family], fontconfig=True)


def _scan(dirs: list[str]) -> CjkFont | None:
    """The best well-known CJK font file under these folders (by file name)."""
    best: tuple[int, bool, str, str] | None = None
    for d in dirs:
        root = Path(d).expanduser()
        if not root.is_dir():
            continue
        for folder, _, files in os.walk(root):
            for name in files:
                lower = name.lower()
                if not lower.endswith(FONT_SUFFIXES):
                    continue
                for rank, (prefix, family) in enumerate(KNOWN):
                    if lower.startswith(prefix):
                        weight = any(w in lower for w in _WEIGHTS)  # prefer the regular face
                        candidate = (rank, weight, str(Path(folder) / name), family)
                        best = candidate if best is None or candidate < best else best
                        break
    return CjkFont(best[3], best[2], fontconfig=False) if best else None


__all__ = ["ENV", "CjkFont", "cjk_font"]

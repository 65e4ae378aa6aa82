"""Vietnamese text for matching: folding (case, diacritics and đ → d, so "duc" finds "Đức"), and telling
text that cannot be matched (scans, old 8-bit fonts)."""

from __future__ import annotations

import re
import unicodedata

# NFD splits every Vietnamese letter into a base letter and its marks, except đ, which is a letter of
# its own.
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case without diacritics; the same function serves every search."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# Text drawn in the old 8-bit Vietnamese fonts (TCVN3/ABC, VNI) comes out of a PDF as Latin-1 letters
# ("Hµ Néi", "Haø Noäi" for "Hà Nội") and never as the letters only Unicode has (ă, đ, ơ, ư and the
# U+1EA0–U+1EF9 block), which real Vietnamese text is full of.
_LATIN1 = re.compile("[\u00a1-\u00ff]")
_UNICODE_ONLY = re.compile("[ăĂđĐơƠưƯ\u1ea0-\u1ef9]")
_LETTER = re.compile(r"[^\W\d_]")
_LEGACY_MIN = 20


def text_encoding(texts: list[str]) -> str:
    """How a document's text can be searched: "unicode", "legacy" (TCVN3/VNI fonts) or "none" (a scan)."""
    text = "\n".join(texts)
    letters = len(_LETTER.findall(text))
    if not letters:
        return "none"
    latin1 = len(_LATIN1.findall(text))
    # A word in those fonts carries one or two such letters; French or German has one in thirty.
    if latin1 >= _LEGACY_MIN and latin1 > letters / 12 and 10 * len(_UNICODE_ONLY.findall(text)) < latin1:
        return "legacy"
    return "unicode"

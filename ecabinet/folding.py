"""Vietnamese text folding for matching: case, diacritics and đ → d, so "duc" finds "Đức"."""

from __future__ import annotations

import unicodedata

# NFD splits every Vietnamese letter into a base letter and its marks, except đ, which is a letter of
# its own.
_D = str.maketrans({"đ": "d", "Đ": "d"})


def fold(text: str) -> str:
    """Lower case without diacritics; the same function serves every search."""
    decomposed = unicodedata.normalize("NFD", text.translate(_D))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

"""Vietnamese folding (pure function)."""

from __future__ import annotations

import pytest

from ecabinet.folding import fold


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Đức", "duc"),
        ("Kế hoạch chuyển đổi số", "ke hoach chuyen doi so"),
        ("NGỌC BÍCH", "ngoc bich"),
        ("đường", "duong"),
        ("plain", "plain"),
    ],
)
def test_fold_removes_case_diacritics_and_d_stroke(text: str, folded: str) -> None:
    """Case, tone marks, vowel marks and đ all fold away."""
    assert fold(text) == folded


def test_fold_treats_composed_and_decomposed_text_alike() -> None:
    """NFC and NFD spellings of the same word fold to the same text."""
    import unicodedata

    word = "Nguyễn"
    assert fold(unicodedata.normalize("NFC", word)) == fold(unicodedata.normalize("NFD", word)) == "nguyen"

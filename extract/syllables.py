"""The shape of a Vietnamese syllable, for judging whether a text reads as Vietnamese.

A syllable is an onset (consonant cluster), a nucleus (one to three vowels in the
combinations Vietnamese writes), a coda (consonant) and at most one tone mark. The
readers use it to judge text they cannot trust: a PDF's text layer
(`vanban.extract.pdf.text_layer_quality`), text that may be in a legacy 8-bit
encoding (`vanban.extract.legacy.detect_legacy`).

>>> is_vietnamese_syllable("nghiêng"), is_vietnamese_syllable("Việt"), is_vietnamese_syllable("Đắk")
(True, True, True)
>>> is_vietnamese_syllable("ViÖt"), is_vietnamese_syllable("Luqt"), is_vietnamese_syllable("hoạcch")
(False, False, False)
>>> has_vowel("HĐND"), has_vowel("ƯU")
(False, True)
"""

from __future__ import annotations

import re
import unicodedata

#: The five tone marks as combining characters (grave, acute, tilde, hook above, dot below).
TONES = "\u0300\u0301\u0303\u0309\u0323"
_ONSET = "ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx]"
_NUCLEUS = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|uya|uyê|uyu|ươi|ươu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|ôi|ơi|oo|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "[aăâeêioôơuưy]"
)
# "k" ends ethnic place names (Đắk, Lắk).
_SYLLABLE = re.compile(rf"(?:{_ONSET})?(?:{_NUCLEUS})(?:ch|ng|nh|[cmnptk])?")
_VOWEL = re.compile("[aeiouy]")


def is_vietnamese_syllable(word: str) -> bool:
    """Whether `word` has the shape of a Vietnamese syllable (onset, vowels, coda, at most one tone), in any case."""
    d = unicodedata.normalize("NFD", word.lower())
    if sum(d.count(t) for t in TONES) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(ch for ch in d if ch not in TONES))
    return _SYLLABLE.fullmatch(bare) is not None


def has_vowel(word: str) -> bool:
    """Whether `word` has a vowel letter (with or without marks); abbreviations ("HĐND", "QĐ") have none."""
    return _VOWEL.search(unicodedata.normalize("NFD", word.lower())) is not None

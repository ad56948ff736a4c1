"""Legacy Vietnamese 8-bit encodings (TCVN3/ABC and VNI) decoded to Unicode.

Text typed in the 1990s-2000s with ".VnTime" (TCVN3) or "VNI-Times" (VNI)
fonts is stored as Latin-1 letters that those fonts draw as Vietnamese; read
with any Unicode font it is garbage ("Céng hoµ x· héi" for "Cộng hoà xã hội").
This module maps it back, longest match first, and decides from the text itself
(fonts lie) whether a string is in a legacy encoding.

>>> decode_tcvn3("Céng hoµ x· héi chñ nghÜa ViÖt Nam")
'Cộng hoà xã hội chủ nghĩa Việt Nam'
>>> decode_vni("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
'Cộng hòa xã hội chủ nghĩa Việt Nam'
>>> detect_legacy("§éc lËp - Tù do - H¹nh phóc")
'tcvn3'
>>> detect_legacy("Độc lập - Tự do - Hạnh phúc") is None
True

The table is the one of docs/legacy-encodings.md (134 letters), in the cp1252
view a Word or LibreOffice import gives: TCVN3 "ư" is byte AD, which reads as
U+00AD soft hyphen; keep soft hyphens until this module has run.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

from vanban.extract.syllables import has_vowel, is_vietnamese_syllable

#: (Unicode letter, VNI form, TCVN3 form), both forms as cp1252 text.
LEGACY_TABLE: tuple[tuple[str, str, str], ...] = (
    ("À", 'AØ', 'Aµ'),
    ("Á", 'AÙ', 'A¸'),
    ("Â", 'AÂ', '¢'),
    ("Ã", 'AÕ', 'A·'),
    ("È", 'EØ', 'EÌ'),
    ("É", 'EÙ', 'EÐ'),
    ("Ê", 'EÂ', '£'),
    ("Ì", 'Ì', 'I×'),
    ("Í", 'Í', 'IÝ'),
    ("Ò", 'OØ', 'Oß'),
    ("Ó", 'OÙ', 'Oã'),
    ("Ô", 'OÂ', '¤'),
    ("Õ", 'OÕ', 'Oâ'),
    ("Ù", 'UØ', 'Uï'),
    ("Ú", 'UÙ', 'Uó'),
    ("Ý", 'YÙ', 'Yý'),
    ("à", 'aø', 'µ'),
    ("á", 'aù', '¸'),
    ("â", 'aâ', '©'),
    ("ã", 'aõ', '·'),
    ("è", 'eø', 'Ì'),
    ("é", 'eù', 'Ð'),
    ("ê", 'eâ', 'ª'),
    ("ì", 'ì', '×'),
    ("í", 'í', 'Ý'),
    ("ò", 'oø', 'ß'),
    ("ó", 'où', 'ã'),
    ("ô", 'oâ', '«'),
    ("õ", 'oõ', 'â'),
    ("ù", 'uø', 'ï'),
    ("ú", 'uù', 'ó'),
    ("ý", 'yù', 'ý'),
    ("Ă", 'AÊ', '¡'),
    ("Đ", 'Ñ', '§'),
    ("Ĩ", 'Ó', 'IÜ'),
    ("Ũ", 'UÕ', 'Uò'),
    ("Ơ", 'Ô', '¥'),
    ("Ư", 'Ö', '¦'),
    ("ă", 'aê', '¨'),
    ("đ", 'ñ', '®'),
    ("ĩ", 'ó', 'Ü'),
    ("ũ", 'uõ', 'ò'),
    ("ơ", 'ô', '¬'),
    ("ư", 'ö', '\xad'),
    ("Ạ", 'AÏ', 'A¹'),
    ("Ả", 'AÛ', 'A¶'),
    ("Ấ", 'AÁ', '¢Ê'),
    ("Ầ", 'AÀ', '¢Ç'),
    ("Ẩ", 'AÅ', '¢È'),
    ("Ẫ", 'AÃ', '¢É'),
    ("Ậ", 'AÄ', '¢Ë'),
    ("Ắ", 'AÉ', '¡¾'),
    ("Ằ", 'AÈ', '¡»'),
    ("Ẳ", 'AÚ', '¡¼'),
    ("Ẵ", 'AÜ', '¡½'),
    ("Ặ", 'AË', '¡Æ'),
    ("Ẹ", 'EÏ', 'EÑ'),
    ("Ẻ", 'EÛ', 'EÎ'),
    ("Ẽ", 'EÕ', 'EÏ'),
    ("Ế", 'EÁ', '£Õ'),
    ("Ề", 'EÀ', '£Ò'),
    ("Ể", 'EÅ', '£Ó'),
    ("Ễ", 'EÃ', '£Ô'),
    ("Ệ", 'EÄ', '£Ö'),
    ("Ỉ", 'Æ', 'IØ'),
    ("Ị", 'Ò', 'IÞ'),
    ("Ọ", 'OÏ', 'Oä'),
    ("Ỏ", 'OÛ', 'Oá'),
    ("Ố", 'OÁ', '¤è'),
    ("Ồ", 'OÀ', '¤å'),
    ("Ổ", 'OÅ', '¤æ'),
    ("Ỗ", 'OÃ', '¤ç'),
    ("Ộ", 'OÄ', '¤é'),
    ("Ớ", 'ÔÙ', '¥í'),
    ("Ờ", 'ÔØ', '¥ê'),
    ("Ở", 'ÔÛ', '¥ë'),
    ("Ỡ", 'ÔÕ', '¥ì'),
    ("Ợ", 'ÔÏ', '¥î'),
    ("Ụ", 'UÏ', 'Uô'),
    ("Ủ", 'UÛ', 'Uñ'),
    ("Ứ", 'ÖÙ', '¦ø'),
    ("Ừ", 'ÖØ', '¦õ'),
    ("Ử", 'ÖÛ', '¦ö'),
    ("Ữ", 'ÖÕ', '¦÷'),
    ("Ự", 'ÖÏ', '¦ù'),
    ("Ỳ", 'YØ', 'Yú'),
    ("Ỵ", 'Î', 'Yþ'),
    ("Ỷ", 'YÛ', 'Yû'),
    ("Ỹ", 'YÕ', 'Yü'),
    ("ạ", 'aï', '¹'),
    ("ả", 'aû', '¶'),
    ("ấ", 'aá', 'Ê'),
    ("ầ", 'aà', 'Ç'),
    ("ẩ", 'aå', 'È'),
    ("ẫ", 'aã', 'É'),
    ("ậ", 'aä', 'Ë'),
    ("ắ", 'aé', '¾'),
    ("ằ", 'aè', '»'),
    ("ẳ", 'aú', '¼'),
    ("ẵ", 'aü', '½'),
    ("ặ", 'aë', 'Æ'),
    ("ẹ", 'eï', 'Ñ'),
    ("ẻ", 'eû', 'Î'),
    ("ẽ", 'eõ', 'Ï'),
    ("ế", 'eá', 'Õ'),
    ("ề", 'eà', 'Ò'),
    ("ể", 'eå', 'Ó'),
    ("ễ", 'eã', 'Ô'),
    ("ệ", 'eä', 'Ö'),
    ("ỉ", 'æ', 'Ø'),
    ("ị", 'ò', 'Þ'),
    ("ọ", 'oï', 'ä'),
    ("ỏ", 'oû', 'á'),
    ("ố", 'oá', 'è'),
    ("ồ", 'oà', 'å'),
    ("ổ", 'oå', 'æ'),
    ("ỗ", 'oã', 'ç'),
    ("ộ", 'oä', 'é'),
    ("ớ", 'ôù', 'í'),
    ("ờ", 'ôø', 'ê'),
    ("ở", 'ôû', 'ë'),
    ("ỡ", 'ôõ', 'ì'),
    ("ợ", 'ôï', 'î'),
    ("ụ", 'uï', 'ô'),
    ("ủ", 'uû', 'ñ'),
    ("ứ", 'öù', 'ø'),
    ("ừ", 'öø', 'õ'),
    ("ử", 'öû', 'ö'),
    ("ữ", 'öõ', '÷'),
    ("ự", 'öï', 'ù'),
    ("ỳ", 'yø', 'ú'),
    ("ỵ", 'î', 'þ'),
    ("ỷ", 'yû', 'û'),
    ("ỹ", 'yõ', 'ü'),
)

ENCODINGS: tuple[str, ...] = ("tcvn3", "vni")


def _compile(pairs: dict[str, str]) -> re.Pattern[str]:
    # Longest match first: "oá" (VNI ố) must win over a lone "á" (VNI ấ's tone byte).
    keys = sorted(pairs, key=len, reverse=True)
    return re.compile("|".join(re.escape(k) for k in keys))


# VNI fonts draw the tone bytes (ù sắc, ø huyền, û hỏi, õ ngã, ï nặng) as marks over the letter before
# them: the table writes "í" as one byte, but "iù" renders as "í" too, and some converters write it so.
_VNI_TONED_I = {f"{i}{mark}": unicodedata.normalize("NFC", base + tone)
                for i, base in (("i", "i"), ("I", "I"))
                for mark, tone in (("ù", "\u0301"), ("ø", "\u0300"), ("û", "\u0309"), ("õ", "\u0303"), ("ï", "\u0323"),
                                   ("Ù", "\u0301"), ("Ø", "\u0300"), ("Û", "\u0309"), ("Õ", "\u0303"), ("Ï", "\u0323"))
                if (i == "I") == mark.isupper()}

_MAPS: dict[str, dict[str, str]] = {
    "vni": {**_VNI_TONED_I, **{vni: uni for uni, vni, _ in LEGACY_TABLE}},
    "tcvn3": {tcvn: uni for uni, _, tcvn in LEGACY_TABLE},
}
_PATTERNS = {enc: _compile(m) for enc, m in _MAPS.items()}


def decode(text: str, encoding: str) -> str:
    """`text` (a cp1252 reading of legacy bytes) decoded from `encoding` ("tcvn3" or "vni")."""
    mapping = _MAPS[encoding]
    return _PATTERNS[encoding].sub(lambda m: mapping[m.group(0)], text)


def decode_tcvn3(text: str, upper: bool = False) -> str:
    """TCVN3 (ABC) to Unicode; `upper` for ".VnTimeH"-style fonts that draw lowercase codes as capitals.

    >>> decode_tcvn3("Sè: 256 /2004/Q§-UB")
    'Số: 256 /2004/QĐ-UB'
    >>> decode_tcvn3("ñy ban nh©n d©n", upper=True)
    'ỦY BAN NHÂN DÂN'
    """
    out = decode(text, "tcvn3")
    return out.upper() if upper else out


def decode_vni(text: str) -> str:
    """VNI-Windows to Unicode.

    >>> decode_vni("Soá: 991/QÑ-UBND")
    'Số: 991/QĐ-UBND'
    """
    return decode(text, "vni")


_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
_STYLE_SUFFIX = re.compile(r"(?:[,-]?(?:Bold|Italic|Oblique|Regular|Normal|MT|PS))+$", re.IGNORECASE)


def font_family(font: str | None) -> str:
    """A font name without its subset tag and style: "BADEPR+.VnTimeH,Bold" -> ".VnTimeH".

    >>> font_family("FBHPEM+VnTimeHBold"), font_family("CCBOFB+.VnTime,BoldItalic"), font_family("VNI-Times-Bold")
    ('VnTimeH', '.VnTime', 'VNI-Times')
    """
    name = _SUBSET_TAG.sub("", (font or "").strip())
    return _STYLE_SUFFIX.sub("", name) or name


def font_encoding(font: str | None) -> str | None:
    """The legacy encoding a font name claims: ".VnTime" -> "tcvn3", "VNI-Times" -> "vni".

    PDF embeds subset fonts under names like "FBHPEM+VnTime" (the dot dropped) or
    "BADEPR+.VnTimeH,Bold"; both claim TCVN3.

    >>> font_encoding(".VnTimeH"), font_encoding("VNI-Helve"), font_encoding("Times New Roman")
    ('tcvn3', 'vni', None)
    >>> font_encoding("FBHPEM+VnTime"), font_encoding("BADEPR+.Vn3DH,Bold")
    ('tcvn3', 'tcvn3')
    """
    if not font:
        return None
    low = font_family(font).lower()
    if low.startswith("vni-") or low.startswith("vni "):
        return "vni"
    if low.startswith((".vn", "vn3", ".vn3")) or re.match(r"^vn(?:time|arial|avant|helv|univer|courier|book|3d|souvenir|commercial|bodoni|clarendon|cooper|free|koala|linus|lucida|present|shelley|swiss|tifani|aptima|bahamas|black|century|gothic)", low):
        return "tcvn3"
    return None


def font_is_upper(font: str | None) -> bool:
    """True for the TCVN3 capitals fonts (".VnTimeH", ".VnArialH", "VnTimeHBold"): their family name ends in "H"."""
    return bool(font) and font_encoding(font) == "tcvn3" and font_family(font).endswith("H")


# PDF viewers map some WinAnsi glyph names to other characters than cp1252 does: pdfium gives
# "hyphen" at 0xAD (TCVN3 "ư") as U+2212, or as a soft-hyphen mark (U+FFFE, U+0002) when it
# ends a line; "periodcentered" (0xB7, "ã") as U+2219; "mu" (0xB5, "à") as U+03BC.
_PDF_GLYPH_BACK = str.maketrans({"\u2212": "\xad", "\ufffe": "\xad", "\x02": "\xad", "\u2219": "\xb7", "\u03bc": "\xb5"})
_CP1252_CHARS = frozenset(bytes(range(256)).decode("latin-1")) | frozenset(bytes(range(0x80, 0xA0)).decode("cp1252", "ignore"))


def plan_font_runs(runs: list[tuple[str, str | None]]) -> dict[str, str]:
    """Which encoding to decode the runs of each claimed legacy encoding with: {claimed: encoding}.

    `runs` are (text, font name) pairs; like the Word reader, the fonts' claim is
    kept only when decoding makes more Vietnamese syllables of their text and most of
    its accented words are syllables then (fonts lie: French in a .VnTime font stays French).
    """
    by_claim: dict[str, list[str]] = {}
    for text, font in runs:
        claim = font_encoding(font)
        if claim:
            by_claim.setdefault(claim, []).append(text.translate(_PDF_GLYPH_BACK))
    plan = {}
    for claim, texts in by_claim.items():
        joined = " ".join(texts)
        gains = {enc: legacy_gain(joined, enc) for enc in ENCODINGS if _mostly_syllables(decode(joined, enc))}
        best = max(gains, key=lambda e: (gains[e], e == claim), default=None)
        if best is not None and gains[best] > 0:
            plan[claim] = best
    return plan


def _mostly_syllables(text: str) -> bool:
    valid, total = _score(text)
    return total > 0 and valid >= 0.7 * total


def decode_font_runs(runs: list[tuple[str, str | None]], plan: dict[str, str]) -> str:
    """The text of a line's (text, font) runs, each run in a legacy font decoded as `plan` says.

    A run holding a character a legacy font cannot produce (Vietnamese letters
    outside cp1252: "ồ", "ư") is already Unicode (a font with a ToUnicode map) and is kept.

    >>> decode_font_runs([("Sè: 109/2004/N", ".VnTime"), ("§-CP", ".VnTime"), (" 2004", "Times")], {"tcvn3": "tcvn3"})
    'Số: 109/2004/NĐ-CP 2004'
    >>> decode_font_runs([("céng hoµ x\u2219 héi", "VnTimeHBold")], {"tcvn3": "tcvn3"})
    'CỘNG HOÀ XÃ HỘI'
    """
    out = []
    for text, font in runs:
        enc = plan.get(font_encoding(font) or "")
        if enc:
            legacy_text = text.translate(_PDF_GLYPH_BACK)
            if all(ch in _CP1252_CHARS for ch in legacy_text):
                text = decode(legacy_text, enc)
                if enc == "tcvn3" and font_is_upper(font):
                    text = text.upper()
        out.append(text)
    return "".join(out)


# --------------------------------------------------------------------------- detection

_WORD = re.compile(r"[^\W\d_]+")


def _score(text: str) -> tuple[int, int]:
    """(words with a non-ASCII letter that are Vietnamese syllables, words with a non-ASCII letter).

    Each distinct word is judged once (a long document repeats its few thousand syllables)."""
    valid = total = 0
    for w, n in Counter(_WORD.findall(text)).items():
        if w.isascii() or (w.isupper() and not has_vowel(w)):
            continue  # ASCII words say nothing; vowel-less ones are acronyms ("QĐ", "HĐND")
        total += n
        valid += n * is_vietnamese_syllable(w)
    return valid, total


def legacy_gain(text: str, encoding: str) -> int:
    """How many more well-formed Vietnamese syllables `text` has once decoded from `encoding`.

    Each non-ASCII word counts +1 when it is a syllable and -1 when not, decoded
    minus raw. Positive means the decoding helps; used with a font's hint on short
    runs, where `detect_legacy` lacks evidence.
    """
    decoded = decode(text, encoding)
    if decoded == text:
        return 0
    rv, rn = _score(text)
    dv, dn = _score(decoded)
    return (2 * dv - dn) - (2 * rv - rn)


def detect_legacy(text: str, min_words: int = 3) -> str | None:
    """"tcvn3", "vni" or None: the legacy encoding `text` is in, judged from the text alone.

    Fires only when the decoded text has at least `min_words` more well-formed
    Vietnamese syllables than the raw text (net of the words it breaks), and at
    least 70% of its non-ASCII words are syllables; so Unicode Vietnamese and
    English or French text are left alone.

    >>> detect_legacy("Coäng hoøa xaõ hoäi chuû nghóa Vieät Nam")
    'vni'
    >>> detect_legacy("Le café de la gare, où l'été déjà commence.") is None
    True
    """
    best: tuple[int, str] | None = None
    for enc in ENCODINGS:
        decoded = decode(text, enc)
        if decoded == text:
            continue
        dv, dn = _score(decoded)
        if dn == 0 or dv < 0.7 * dn:
            continue
        gain = legacy_gain(text, enc)
        if gain >= max(min_words, 1) and (best is None or gain > best[0]):
            best = (gain, enc)
    return best[1] if best else None


def fix_legacy_text(text: str) -> tuple[str, str | None]:
    """The text decoded when it is in a legacy encoding, and that encoding (else the text and None).

    For strings that came out of LibreOffice or a .docx still in legacy form.

    >>> fix_legacy_text("QuyÕt ®Þnh sè 136/2001/Q§-TTg")
    ('Quyết định số 136/2001/QĐ-TTg', 'tcvn3')
    >>> fix_legacy_text("Quyết định số 136/2001/QĐ-TTg")
    ('Quyết định số 136/2001/QĐ-TTg', None)
    """
    enc = detect_legacy(text)
    if enc is None:
        return text, None
    return decode(text, enc), enc


# Bytes 81 8D 8F 90 9D have no cp1252 character: read them as Latin-1 (C1 controls).
_CP1252_OR_LATIN1 = "".join(
    bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256)
)


def bytes_as_cp1252(data: bytes) -> str:
    """Each byte as its cp1252 character (Latin-1 for the five bytes cp1252 leaves undefined)."""
    return data.decode("latin-1").translate({i: c for i, c in enumerate(_CP1252_OR_LATIN1) if ord(c) != i})


def decode_legacy_bytes(data: bytes) -> tuple[str, str] | None:
    """(text, "tcvn3" | "vni") for bytes of a legacy-encoded text file, None when they are not.

    >>> decode_legacy_bytes("Céng hoµ x· héi chñ nghÜa ViÖt Nam".encode("cp1252"))
    ('Cộng hoà xã hội chủ nghĩa Việt Nam', 'tcvn3')
    >>> decode_legacy_bytes("Le café où l'été commence".encode("cp1252")) is None
    True
    """
    text = bytes_as_cp1252(data)
    enc = detect_legacy(text)
    if enc is None:
        return None
    return decode(text, enc), enc

"""OCR'd text corrected against what administrative documents are known to say.

Tesseract reads the letters of a Vietnamese scan well and its diacritics less
well: "Lâm Đồng" comes out "Lâm Đông" or "Lâm Đòng", "chính quyền" "chính
quyên", "QUYẾT ĐỊNH" "QUYÉT ĐỊNH", a symbol's "QĐ" "QĐÐ". A run of words
whose letters, without diacritics, are those of a known phrase, and that differs
from it in the diacritics of at most half of its syllables, becomes the phrase
(in the case the OCR'd text has). The known phrases are:

- the agency gazetteer (`corpus/agencies.tsv`: names and variants);
- the provinces and cities (`corpus/places.tsv`), alone and after "tỉnh"/"thành phố";
- the document-type words (`vanban.normalize.lines.DOC_TYPES`) and the formulas of
  administrative documents (`corpus/ocr_phrases.tsv`);
- the symbol grammar: a type or organ code in "<number>/<type>-<organ>" that is
  not a known code becomes the known code it is once look-alike letters are
  folded and doubled letters collapsed ("QĐÐ" -> "QĐ").

Single words are never changed (too many are words of their own with other
diacritics), except "Điều" before an article number ("Điêu 3"). Only OCR'd
lines go through here (`vanban.extract.pdf`), and each corrected line keeps its
raw OCR text (`Block.raw`).

>>> correct_line("TỈNH LÂM ĐÔNG Độc lập - Tự do - Hạnh phúc")
('TỈNH LÂM ĐỒNG Độc lập - Tự do - Hạnh phúc', 1)
>>> correct_line("Căn cứ Luật Tổ chức chính quyên địa phương ngày 16 tháng 6 năm 2025;")[0]
'Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;'
>>> correct_line("Số: 1716/QĐÐ-UBND; Như Điêu 3; cần cù")
('Số: 1716/QĐ-UBND; Như Điều 3; cần cù', 2)
"""

from __future__ import annotations

import functools
import re

from vanban.corpus import table
from vanban.extract.syllables import has_vowel
from vanban.normalize.fold import fold_homoglyphs, fold_tone_placement, strip_diacritics

_WORD = re.compile(r"[^\W\d_]+")
MAX_WORDS = 8


def _tsv(name: str) -> list[dict[str, str]]:
    return list(table(name))


def _fold(word: str) -> str:
    return strip_diacritics(word).lower()


@functools.cache
def phrases() -> dict[tuple[str, ...], tuple[str, ...]]:
    """Known phrases of two or more words, keyed by their words without diacritics.

    A key that two different phrases share (a collision) is dropped: it could be either."""
    from vanban.normalize.agencies import gazetteer
    from vanban.normalize.lines import DOC_TYPES

    found: list[str] = []
    for e in gazetteer():
        found.extend([e.canonical, *e.variants])
    for row in _tsv("places.tsv"):
        found += [row["name"], f"{row['kind']} {row['name']}"]
    found += list(DOC_TYPES) + list(DOC_TYPES.values())
    found += [row["phrase"] for row in _tsv("ocr_phrases.tsv")]
    index: dict[tuple[str, ...], tuple[str, ...]] = {}
    clashes: set[tuple[str, ...]] = set()
    for phrase in found:
        words = tuple(_WORD.findall(phrase))
        if not 2 <= len(words) <= MAX_WORDS or any(w.isupper() and len(w) > 1 and not has_vowel(w) for w in words):
            continue  # abbreviations ("UBND", "HĐND") are not OCR'd with wrong diacritics
        key = tuple(_fold(w) for w in words)
        if key in index and tuple(w.lower() for w in index[key]) != tuple(w.lower() for w in words):
            clashes.add(key)
        index.setdefault(key, words)
    for key in clashes:
        del index[key]
    return index


def _same_key(word: str) -> str:
    """A word up to case and tone placement ("Uỷ" = "Ủy", "HOÀ" = "hòa"): both are correct spellings."""
    return fold_tone_placement(word.lower())


def _cased(target: str, written: str) -> str:
    if written.isupper():
        return target.upper()
    if written[:1].isupper():
        return target[:1].upper() + target[1:]
    return target.lower() if target[1:].islower() or len(target) == 1 else target


@functools.cache
def _codes() -> dict[str, str]:
    """Known type and organ codes of symbols, keyed by their folded, de-doubled form."""
    from vanban.normalize.citations import doc_types, organ_codes

    out = {}
    for code in {d["code"] for d in doc_types() if d.get("code")} | {o["code"] for o in organ_codes() if o.get("code")}:
        out.setdefault(_code_key(code), code)
    return out


def _code_key(code: str) -> str:
    folded, _ = fold_homoglyphs(code)
    return re.sub(r"(.)\1+", r"\1", folded.upper())


_SYMBOL = re.compile(r"(?<=\d)(?P<sep>\s*/\s*(?:\d{4}\s*/\s*)?)(?P<type>[A-ZĐÐa-zđ]{1,8})(?=-)|(?<=-)(?P<organ>[A-ZĐÐ&]{2,12})\b")
_ARTICLE = re.compile(r"\b([ĐđD][iìíỉĩị][eêềếểễệ][uùúủũụ])(?=\s+\d)")


@functools.cache
def _lost_slash() -> re.Pattern[str]:
    """A number run onto a known type code because OCR lost the slash: "01NQ-HĐQLQ"."""
    from vanban.normalize.citations import doc_types

    types = sorted({d["code"] for d in doc_types() if d.get("code") and len(d["code"]) >= 2}, key=len, reverse=True)
    return re.compile(r"(?<![\w/])(\d{1,5})(?=(?:" + "|".join(map(re.escape, types)) + r")-[A-ZĐ])")


_JUNK_START = re.compile(r"^(?:[¬_~|`^*•·'\"“”]|[.,:;](?=\s))[¬_~|`^*•·'\"“”.,:;\s]*(?=[^\W\d_])")


def _fix_codes(text: str) -> tuple[str, int]:
    codes = _codes()
    text, n = _lost_slash().subn(r"\1/", text)

    def fix(m: re.Match[str]) -> str:
        nonlocal n
        code = m.group("type") or m.group("organ")
        known = codes.get(_code_key(code))
        if known is None or known.upper() == code.upper() or (m.group("organ") and "/" not in text[max(0, m.start() - 20) : m.start()]):
            return m.group(0)
        n += 1
        return (m.group("sep") or "") + known if m.group("type") else known

    return _SYMBOL.sub(fix, text), n


def correct_line(text: str) -> tuple[str, int]:
    """The OCR'd line corrected against the known phrases and the symbol grammar; how many changes."""
    index = phrases()
    words = list(_WORD.finditer(text))
    out: list[str] = []
    pos = changes = i = 0
    while i < len(words):
        for n in range(min(MAX_WORDS, len(words) - i), 1, -1):
            span = words[i : i + n]
            target = index.get(tuple(_fold(w.group()) for w in span))
            if target is None:
                continue
            differ = [k for k, (w, t) in enumerate(zip(span, target)) if _same_key(w.group()) != _same_key(t)]
            if differ and len(differ) * 2 <= n:
                for k in differ:
                    w = span[k]
                    out.append(text[pos : w.start()] + _cased(target[k], w.group()))
                    pos = w.end()
                changes += 1
            i += n
            break
        else:
            i += 1
    text = "".join(out) + text[pos:]
    text, junk = _JUNK_START.subn("", text)  # specks before the first word: "¬ _ ĐƠN ĐỀ NGHỊ"
    text, fixed = _fix_codes(text)
    fixed += junk
    articles = sum(1 for m in _ARTICLE.finditer(text) if m.group(1) not in ("Điều", "điều"))
    text = _ARTICLE.sub(lambda m: "Điều" if m.group(1)[0] in "ĐD" else "điều", text)
    return text, changes + fixed + articles


def correct_lines(lines: list) -> int:
    """Correct OCR'd lines in place against the lexicon (`vanban.extract.ocr_lexicon`); raw kept."""
    total = 0
    for ln in lines:
        fixed, n = correct_line(ln.text)
        if n:
            ln.raw, ln.text = ln.text, fixed
            total += n
    return total

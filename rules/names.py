"""Names of one thing written differently within a document's text: a numbered unit with an Arabic and a
Roman numeral ("khu vực 10" and "khu vực X"), and a known body shortened two different ways ("Báo và Đài
PT-TH" and "Báo và PT-TH Lâm Đồng"). The task table's agency cells are `agency_name_variants`."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator

from vanban.model import Decision, Finding, Loc
from vanban.normalize.numerals import roman_value
from vanban.normalize.wordre import both_cases, word_start
from vanban.rules.common import line_of
from vanban.rules.engine import make_finding, rule

#: Units numbered within a body: "Khu vực X", "Cụm thi đua số 3", "Đội 2", "Chi cục Thuế khu vực XV".
#: (where a word starts: `vanban.normalize.wordre`)
_UNIT = word_start(both_cases(["khu vực", "KHU VỰC", "cụm(?: thi đua)?", "đội", "tổ công tác", "tiểu ban", "phân khu", "vùng"]))
_NUMBERED = re.compile(rf"(?P<unit>{_UNIT})(?:\s+số)?\s+(?P<num>\d{{1,2}}|[IVXL]{{1,5}})(?![\w/.,]\w)")


@rule("unit_numeral_variants", "inconsistent_name", "info", "one numbered unit written with an Arabic and a Roman numeral")
def unit_numeral_variants(dec: Decision) -> Iterator[Finding]:
    """"Chi cục Thuế khu vực 10" in one place and "Chi cục Thuế khu vực X" in another: one unit, two numbers
    as written, so a search for one misses the other. Only the same unit word with the same value counts."""
    seen: dict[tuple[str, int], dict[str, tuple[str, Loc]]] = defaultdict(dict)
    for m in _NUMBERED.finditer(dec.text):
        num = m["num"]
        value = int(num) if num.isdigit() else roman_value(num, highest=59)
        if value is None:
            continue
        kind = "arabic" if num.isdigit() else "roman"
        key = (m["unit"].lower(), value)
        seen[key].setdefault(kind, (m.group(), Loc(m.start(), m.end(), line_of(dec, m.start()))))
    for (unit, value), forms in seen.items():
        if len(forms) < 2:
            continue
        (a, la), (b, lb) = forms["arabic"], forms["roman"]
        yield make_finding(
            dec,
            "unit_numeral_variants",
            f"Cùng một đơn vị được viết hai cách: \"{a}\" (dòng {la.line}) và \"{b}\" (dòng {lb.line}).",
            f"One unit is written two ways: \"{a}\" (line {la.line}) and \"{b}\" (line {lb.line}).",
            [(a, la), (b, lb)],
            key=f"{unit}:{value}",
        )


#: Words a body's name starts with.
_HEADS = word_start(["Sở", "Báo", "Đài", "Ban", "Trung tâm", "Văn phòng", "Phòng", "Chi cục", "Cục", "Hội", "Liên đoàn",
                     "Ủy ban", "Uỷ ban", "Viện", "Bộ"])  # where a word starts
#: An abbreviation with a joint inside: "PT-TH", "TT&TT", "VH,TT&DL", "KH-CN"; or a run of capitals ("TTTT").
_ABBR = r"[A-ZĐ]{1,4}(?:(?:[-&,]|[ ][-&][ ])[A-ZĐ]{1,4})+|[A-ZĐ]{3,8}"  # "KH-CN & MT" is one abbreviation
_NAME = re.compile(  # the words of a name stand on one line
    rf"(?P<head>{_HEADS})(?P<rest>(?:[ \t]+(?:và|{_ABBR}|[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÉÈẺẼẸÍÌỈĨỊÓÒỎÕỌÚÙỦŨỤÝỲỶỸỴ][\w]*)){{1,5}})"
)
_ABBR_TOKEN = re.compile(rf"(?<!\w)(?:{_ABBR})(?!\w)")
_GENERIC_ABBR = frozenset({"UBND", "HĐND", "MTTQ", "UBMTTQ", "VN", "TW", "ĐBQH"})


def _abbreviated_names(text: str) -> Iterator[tuple[str, str, str, int]]:
    """(key, written form, form without its place, offset) of body names holding an abbreviation."""
    from vanban.normalize.fold import match_key

    for m in _NAME.finditer(text):
        rest = m["rest"]
        abbrs = [a for a in _ABBR_TOKEN.findall(rest) if re.sub(r"[-&, ]", "", a) not in _GENERIC_ABBR]
        if not abbrs:
            continue
        # the words after the last abbreviation are a place ("Lâm Đồng", "tỉnh"): not part of the comparison
        cut = rest.rfind(abbrs[-1]) + len(abbrs[-1])
        form = (m["head"] + rest[:cut]).strip()
        letters = "".join(re.sub(r"[-&, ]", "", a) for a in abbrs)
        yield f"{m['head'].lower()}|{match_key(letters)}", form, match_key(form), m.start("head")


@rule("abbreviation_variants", "inconsistent_name", "info", "one body's abbreviated name written two different ways in the text")
def abbreviation_variants(dec: Decision) -> Iterator[Finding]:
    """"Báo và Đài PT-TH" in one sentence and "Báo và PT-TH Lâm Đồng" in another, "Sở TT&TT" and "Sở TTTT":
    the same abbreviation after the same head word, written with other words or joints around it. A place
    after the name ("... Lâm Đồng", "... tỉnh") and case, spacing and tone marks do not count."""
    from vanban.normalize.fold import match_key
    from vanban.rules.content import agency_name_variants

    forms: dict[str, dict[str, tuple[str, int]]] = defaultdict(dict)
    for key, written, compared, offset in _abbreviated_names(dec.text):
        forms[key].setdefault(compared, (written, offset))
    told = None  # the agencies' names agency_name_variants already reports written two ways (the task table's)
    for key, by_form in forms.items():
        if len(by_form) < 2:
            continue
        if told is None:
            told = [match_key(e.text) for f in agency_name_variants(dec) for e in f.evidence]
        if all(any(c in t for t in told) for c in by_form):
            continue  # "Sở TT&TT" / "Sở TTTT" in the task table: one finding, not two
        shown = list(by_form.values())[:4]
        spans = [(w, Loc(o, o + len(w), line_of(dec, o))) for w, o in shown]  # o: where the name starts
        listing = ", ".join(f"\"{w}\" (dòng {loc.line})" for w, loc in spans)
        listing_en = ", ".join(f"\"{w}\" (line {loc.line})" for w, loc in spans)
        yield make_finding(
            dec,
            "abbreviation_variants",
            f"Tên viết tắt của một cơ quan được viết nhiều cách: {listing}.",
            f"One body's abbreviated name is written several ways: {listing_en}.",
            spans,
            key=key,
        )

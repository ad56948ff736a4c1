"""Bodies that no longer exist: a ministry, department, district or province named as acting in a document
dated after it ceased (the 2025 mergers: Sở Tài nguyên và Môi trường into Sở Nông nghiệp và Môi trường on
1 March 2025, Bình Thuận and Đắk Nông into Lâm Đồng on 1 July 2025, the district level ended the same day).

The days and successors are data: the validity columns of `corpus/agencies.tsv` and `corpus/provinces.tsv`,
each row with its source and how sure it is. A name the text only reports on (a document the old body issued,
"Sở Tài nguyên và Môi trường (nay là ...)", a phrase an amendment replaces in quotation marks, a line about
an earlier year) is not a finding.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from vanban.model import Decision, Finding, Loc
from vanban.normalize.citations.text import fold
from vanban.corpus import table
from vanban.rules.cited import signed_on
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date
from vanban.normalize.dates import YEAR

#: Provinces set their own day for merging their departments, around the national one: a document dated
#: within this many days after a department's national last day is not a finding.
GRACE_DAYS = {"province": 31}


@dataclass(frozen=True, slots=True)
class Ceased:
    """A body or province that ceased, as the data file has it."""

    name: str  # as the message names it: "Sở Tài nguyên và Môi trường", "tỉnh Bình Thuận"
    until: str
    successor: str
    validity: str
    level: str
    alternatives: str  # the written forms as a regular expression on folded text (lower case, no diacritics)
    firsts: tuple[str, ...]  # the folded first words of the forms

    @property
    def pattern(self) -> re.Pattern[str]:
        return _compiled(self.alternatives)


_SEP = r"(?:\s*(?:&|,|-|–|\bva\b)\s*|\s+)"


def _firsts(forms: list[str]) -> tuple[str, ...]:
    return tuple({fold(re.split(r"[\s&,\-–]+", f.strip())[0]) for f in forms})


def _alternatives(forms: list[str]) -> str:
    """Any of the written forms, on folded text, with '&', 'và', hyphens and spaces interchangeable."""
    alts = []
    for form in sorted(set(forms), key=len, reverse=True):
        words = [w for w in re.split(r"[\s&,\-–]+|\bvà\b", form) if w]
        alts.append(_SEP.join(re.escape(fold(w)) for w in words))
    return "|".join(alts)


@functools.lru_cache(maxsize=None)
def _compiled(alternatives: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w&])(?:{alternatives})(?![\w&])")


@functools.cache
def _all_bodies() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """One pattern for every ceased body (group b<i> is `ceased_bodies()[i]`), and one for the words such a
    name starts with ("sở", "bộ", "tỉnh", ...): the text is read once for those, the names matched there."""
    bodies = ceased_bodies()
    groups = "|".join(f"(?P<b{i}>{b.alternatives})" for i, b in enumerate(bodies))
    firsts = sorted({re.escape(w) for b in bodies for w in b.firsts}, key=len, reverse=True)
    return (re.compile(rf"(?:{groups})(?![\w&])"), re.compile(rf"(?<![\w&])(?:{'|'.join(firsts)})(?![\w&])"))


@functools.cache
def ceased_bodies() -> tuple[Ceased, ...]:
    """The gazetteer's bodies and the provinces that ceased, with the patterns that find them in a text."""
    from vanban.normalize.agencies import gazetteer

    out = []
    for e in gazetteer():
        if e.valid_until:
            forms = [f for f in (e.canonical, *e.variants) if len(f) > 4]
            out.append(Ceased(e.canonical, e.valid_until, e.successor, e.validity, e.level, _alternatives(forms), _firsts(forms)))
    for row in table("provinces.tsv"):
        forms = [f"{row['kind']} {row['name']}"]
        out.append(Ceased(forms[0], row["valid_until"], row["successor"], row["validity"], "province_unit", _alternatives(forms), _firsts(forms)))
    return tuple(out)


@functools.cache
def _first_end() -> str:
    return min(b.until for b in ceased_bodies())


def reference_day(dec: Decision) -> str | None:
    """The day the document speaks from: its date, else the day it was digitally signed."""
    return dec.date or signed_on(dec)


def _after(day: str, b: Ceased) -> bool:
    last = dt.date.fromisoformat(b.until) + dt.timedelta(days=GRACE_DAYS.get(b.level, 0))
    return day > last.isoformat()


_REPORTED_AFTER = re.compile(
    r"^(?:\s*\(?\s*(?:cu|nay la|truoc day|truoc khi|truoc sap xep|truoc hop nhat|da giai the)\b"
    r"|(?:\s+\w+){1,4}?\s*\(\s*(?:cu|nay la|truoc day)\b)"  # "UBND huyện Di Linh (cũ)"
)
#: "nguyên", "cũ", "trước đây là", "tiền thân", "của" (a document it issued: "của Bộ ...", "của Bộ trưởng Bộ ...")
_REPORTED_BEFORE = re.compile(
    r"(?:\bnguyen|\bcu|\btruoc day|\btruoc khi|\btien than"
    r"|\bcua(?:\s+(?:bo truong|thu truong|chu tich|pho chu tich|giam doc|pho giam doc|truong ban))?)(?:\s+la)?\s*\(?\s*$"
)
_DATE = re.compile(rf"(?<!\d)(\d{{1,2}})\s*[/.-]\s*(\d{{1,2}})\s*[/.-]\s*({YEAR})(?!\d)")
_YEAR = re.compile(rf"(?<![\d/.-])({YEAR})(?![\d/-])")


def _renamed(folded_line: str, s: int, e: int) -> bool:
    """The old name in a renaming: "đổi tên Hội Thiện nguyện ... tỉnh Bình Thuận thành Hội ... tỉnh Lâm Đồng"
    names the body by the name it is to lose."""
    at = folded_line.rfind("doi ten ", 0, s)
    return at >= 0 and "thanh " not in folded_line[at:s] and " thanh " in folded_line[e:]


def _quoted(line: str, start: int) -> bool:
    before = line[:start]
    return before.count("“") > before.count("”") or before.count('"') % 2 == 1


def _earlier_on_line(line: str, until: str) -> bool:
    """The line speaks of a time before the change: a date before it, or an earlier year."""
    for d, m, y in _DATE.findall(line):
        if f"{y}-{int(m):02d}-{int(d):02d}" <= until:
            return True
    return any(int(y) < int(until[:4]) for y in _YEAR.findall(line))


def _reported(folded_line: str, line: str, s: int, e: int, until: str) -> bool:
    """Whether the mention at [s, e) of a line reports on the past rather than names an actor of the document:
    quoted, "(cũ)", "(nay là ...)", "nguyên", "trước đây là", "của" or "của Bộ trưởng" (a document it issued), an
    earlier date."""
    if _quoted(line, s) or _REPORTED_AFTER.match(folded_line[e:e + 40]) or _renamed(folded_line, s, e):
        return True
    return bool(_REPORTED_BEFORE.search(folded_line[max(0, s - 30):s])) or _earlier_on_line(line, until)


def named_in_fields(dec: Decision, b: Ceased) -> Iterator[tuple[str, Loc]]:
    """Where the document's issuer, place or task cells name the ceased body."""
    issuer = " ".join(x for x in (dec.issuer, getattr(dec, "issuer_parent", None)) if x)
    if issuer and b.pattern.search(fold(issuer)):
        yield issuer, dec.issuer_loc or Loc()
    if b.level == "province_unit" and dec.place and fold(dec.place).strip() == fold(b.name.split(" ", 1)[1]):
        yield dec.place, dec.date_loc or Loc()  # "Bình Thuận, ngày 10 tháng 12 năm 2025"
    for task in dec.tasks:
        for field in ("lead", "partners"):
            cell = getattr(task, field)
            if cell and b.pattern.search(fold(cell)):
                yield cell, task.cell_locs.get(field) or task.loc


class _Lines:
    """1-based line numbers of offsets, from the offsets of the line breaks (found once)."""

    def __init__(self, text: str) -> None:
        self.breaks = [m.start() for m in re.finditer("\n", text)]

    def of(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1


def named_in_text(dec: Decision, day: str) -> dict[int, list[tuple[str, Loc]]]:
    """Index of `ceased_bodies()` -> the lines of the text that name it as acting, for the bodies that had
    ceased by `day`."""
    bodies = ceased_bodies()
    text = dec.text
    folded = fold(text)
    out: dict[int, list[tuple[str, Loc]]] = {}
    names, starts = _all_bodies()
    lines = _Lines(text)
    for start in starts.finditer(folded):
        pos = start.start()
        if not (text[pos].isupper() or folded.startswith("tinh", pos)):
            continue  # "số", "bộ phận": a body's name starts with a capital ("Sở", "Bộ", "UBND"), a province with "tỉnh"
        m = names.match(folded, pos)
        if not m:
            continue
        i = int(m.lastgroup[1:])
        b = bodies[i]
        if not _after(day, b):
            continue
        ls = text.rfind("\n", 0, m.start()) + 1
        le = text.find("\n", m.end())
        le = len(text) if le < 0 else le
        if not _reported(folded[ls:le], text[ls:le], m.start() - ls, m.end() - ls, b.until):
            out.setdefault(i, []).append((text[m.start():m.end()], Loc(m.start(), m.end(), lines.of(m.start()))))
    return out


@rule("body_ceased", "invalid_reference", "info", "a body or province named as acting after it ceased to exist")
def body_ceased(dec: Decision) -> Iterator[Finding]:
    """A plan dated 10/12/2025 giving a task to "Sở Tài nguyên và Môi trường", which merged into Sở Nông
    nghiệp và Môi trường on 1 March 2025; a 2026 document issued by "UBND tỉnh Bình Thuận" (part of Lâm Đồng
    since 1 July 2025). The message names the successor. A document the old body issued, a name given with
    "(nay là ...)" or "cũ", a phrase an amendment replaces in quotation marks and a line about a year before
    the change are not findings. Dates and successors: `corpus/agencies.tsv`, `corpus/provinces.tsv`."""
    day = reference_day(dec)
    if not day or dec.ocr or day <= _first_end():
        return
    in_text = named_in_text(dec, day)
    for i, b in enumerate(ceased_bodies()):
        if not _after(day, b):
            continue
        found = _unique([*named_in_fields(dec, b), *in_text.get(i, [])])
        if not found:
            continue
        sure = "" if b.validity == "confirmed" else " (ngày và cơ quan kế thừa chưa được đối chiếu với văn bản công khai)"
        sure_en = "" if b.validity == "confirmed" else " (the day and successor are not confirmed in a public text)"
        where = ", ".join(str(loc.line) for _, loc in found[:10] if loc.line)
        yield make_finding(
            dec,
            "body_ceased",
            f"Văn bản ngày {vi_date(day)} nêu \"{b.name}\" (dòng {where or '?'}), nhưng {b.name} không còn từ ngày "
            f"{vi_date(_next(b.until))}; nay là {b.successor}{sure}.",
            f"The document of {day} names \"{b.name}\" (line {where or '?'}), which ceased to exist on {_next(b.until)}; "
            f"its successor is {b.successor}{sure_en}.",
            found[:20],
            key=b.name,
        )


def _unique(spans: list[tuple[str, Loc]]) -> list[tuple[str, Loc]]:
    out: dict[tuple[str, int | None, int], tuple[str, Loc]] = {}
    for text, loc in spans:
        out.setdefault((text, loc.line, loc.start), (text, loc))
    return list(out.values())


def _next(iso: str) -> str:
    return (dt.date.fromisoformat(iso) + dt.timedelta(days=1)).isoformat()



"""A Word document's styles (names, fonts, bold, caps, numbering, with inheritance) and
list numbering (the visible prefix of each numbered paragraph), for the Word reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from vanban.extract.docx_package import _on, _wattr, w
from vanban.normalize.numerals import to_roman


@dataclass(slots=True)
class _Style:
    name: str
    based_on: str | None
    font: str | None
    bold: bool | None
    caps: bool | None
    num: tuple[str, int] | None  # (numId, ilvl) from the style's numPr


def _fonts_of(rpr: etree._Element | None) -> str | None:
    if rpr is None:
        return None
    rf = rpr.find(w("rFonts"))
    if rf is None:
        return None
    return rf.get(w("ascii")) or rf.get(w("hAnsi")) or rf.get(w("cs")) or rf.get(w("eastAsia"))


class _Styles:
    """Paragraph and character styles: names, fonts, bold, caps and numbering, with inheritance."""

    def __init__(self, root: etree._Element | None):
        self.by_id: dict[str, _Style] = {}
        self.default_font: str | None = None
        self.default_para: str | None = None
        if root is None:
            return
        rpr = root.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
        self.default_font = _fonts_of(rpr)
        for st in root.iter(w("style")):
            sid = st.get(w("styleId"))
            if not sid:
                continue
            rpr = st.find(w("rPr"))
            ppr = st.find(w("pPr"))
            num = None
            if ppr is not None and ppr.find(w("numPr")) is not None:
                np_ = ppr.find(w("numPr"))
                nid = _wattr(np_.find(w("numId")))
                if nid:
                    num = (nid, int(_wattr(np_.find(w("ilvl"))) or 0))
            self.by_id[sid] = _Style(
                name=_wattr(st.find(w("name"))) or sid,
                based_on=_wattr(st.find(w("basedOn"))),
                font=_fonts_of(rpr),
                bold=_on(rpr.find(w("b"))) if rpr is not None else None,
                caps=_on(rpr.find(w("caps"))) if rpr is not None else None,
                num=num,
            )
            if st.get(w("type")) == "paragraph" and st.get(w("default")) in ("1", "true"):
                self.default_para = sid

    def chain(self, sid: str | None):
        seen = set()
        while sid and sid in self.by_id and sid not in seen:
            seen.add(sid)
            yield self.by_id[sid]
            sid = self.by_id[sid].based_on

    def first(self, sids: list[str | None], attr: str):
        for sid in sids:
            for st in self.chain(sid):
                v = getattr(st, attr)
                if v is not None:
                    return v
        return None

    def name(self, sid: str | None) -> str | None:
        return self.by_id[sid].name if sid in self.by_id else sid


# --------------------------------------------------------------------------- numbering


def _letters(n: int) -> str:
    # Word: a..z, then aa..zz, aaa..
    n = max(n, 1)
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


_FORMATS = {
    "decimal": str,
    "decimalZero": lambda n: f"{n:02d}",
    "lowerLetter": _letters,
    "upperLetter": lambda n: _letters(n).upper(),
    "lowerRoman": lambda n: to_roman(n).lower(),
    "upperRoman": to_roman,
}


class _Numbering:
    """Word list numbering: the visible prefix of each numbered paragraph.

    >>> to_roman(14), _letters(2), _letters(28)
    ('XIV', 'b', 'bb')
    """

    def __init__(self, root: etree._Element | None):
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}  # numId -> ilvl -> (fmt, text, start)
        self.counters: dict[str, dict[int, int]] = {}
        self.unsupported: set[str] = set()
        self.synthesised = 0
        if root is None:
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.iter(w("abstractNum")):
            abstract[an.get(w("abstractNumId"))] = self._levels(an)
        for num in root.iter(w("num")):
            nid = num.get(w("numId"))
            levels = dict(abstract.get(_wattr(num.find(w("abstractNumId"))) or "", {}))
            for ov in num.iter(w("lvlOverride")):
                ilvl = int(ov.get(w("ilvl")) or 0)
                lvl = ov.find(w("lvl"))
                if lvl is not None:
                    levels.update(self._levels(ov))
                so = _wattr(ov.find(w("startOverride")))
                if so is not None and ilvl in levels:
                    fmt, text, _ = levels[ilvl]
                    levels[ilvl] = (fmt, text, int(so))
            self.levels[nid] = levels

    @staticmethod
    def _levels(parent: etree._Element) -> dict[int, tuple[str, str, int]]:
        out = {}
        for lvl in parent.findall(w("lvl")):
            ilvl = int(lvl.get(w("ilvl")) or 0)
            out[ilvl] = (
                _wattr(lvl.find(w("numFmt"))) or "decimal",
                _wattr(lvl.find(w("lvlText"))) or "",
                int(_wattr(lvl.find(w("start"))) or 1),
            )
        return out

    def prefix(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels or num_id == "0" or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            self.synthesised += 1
            return ("-" if text.strip() in ("-", "–", "") else "•") + " "
        if fmt == "none":
            return ""
        out = text
        for k in range(ilvl, -1, -1):
            token = f"%{k + 1}"
            if token not in out:
                continue
            kfmt, _, kstart = levels.get(k, ("decimal", "", 1))
            fn = _FORMATS.get(kfmt)
            if fn is None:
                self.unsupported.add(kfmt)
                return ""
            out = out.replace(token, fn(counters.get(k, kstart)))
        self.synthesised += 1
        return out + " " if out else ""

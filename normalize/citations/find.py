"""Finding the citations of a text: symbols with the type word before them and the date, issuer and title
after them, documents cited by name, lists that share a type word, a date or an issuer."""

from __future__ import annotations

import unicodedata

from vanban.model import Citation, Loc
from vanban.normalize.citations import patterns as P
from vanban.normalize.citations.names import Named, named_starts, read_name
from vanban.normalize.citations.resolve import resolve
from vanban.normalize.citations.text import CYRILLIC, DASHES, GREEK, NEEDS_ONE_TO_ONE, Text, prepare
from vanban.normalize.citations.words import date_after, issuer_after, title_after, type_word_before
from vanban.normalize.codes import implied_issuer, kind_of_code
from vanban.normalize.dates import YEAR_AFTER_CITATION
from vanban.normalize.symbols import Symbol, find_symbols, read_symbol


def find_citations(text: str) -> list[Citation]:
    """Every citation in `text`, in order of appearance.

    >>> [(c.id, c.date) for c in find_citations(
    ...     "các Nghị định số: 130/2005/NĐ-CP ngày 17/10/2005, 117/2013/NĐ-CP đối với các cơ quan nhà nước")]
    [('130/2005/NĐ-CP', '2005-10-17'), ('117/2013/NĐ-CP', None)]
    >>> c = find_citations("Chương trình hành động số 99/CTr-UBND ngày 28/5/2018 của UBND tỉnh về việc thực hiện")[0]
    >>> c.id, c.kind, c.year, c.issuer, c.issuer_implied, c.title
    ('99/CTr-UBND', 'Chương trình', 2018, 'UBND tỉnh', 'Ủy ban nhân dân', 'về việc thực hiện')
    >>> find_citations("theo TCVN ISO 9001:2015, hotline 24/24, định kỳ 3 tháng/lần, Quý IV/2021, 20%")
    []
    """
    t = prepare(text)
    named: list[Named] = []
    symbol_owner: dict[int, Named] = {}
    last_end = -1
    for m in named_starts(t.match):
        if m.start() < last_end:
            continue  # "của Luật ..." inside an amending law's name
        n = read_name(t, m)
        if n is None:
            continue
        last_end = n.end
        if n.symbol_at is not None:
            symbol_owner[n.symbol_at] = n
        else:
            named.append(n)

    found: list[Citation] = []
    for m in find_symbols(t.match):
        owner = symbol_owner.get(m.start())
        if owner is None and P.FORM_NUMBER.search(t.match, max(0, m.start() - 20), m.start()):
            continue  # a form's number ("Mẫu số 22/CKTC-NSH"), not a document's symbol
        tw = None if owner else type_word_before(t, m.start())
        sym = read_symbol(m, typed=bool(tw or owner))
        if sym is None:
            continue
        start = owner.start if owner else (tw[0] if tw else m.start())
        kind = owner.kind if owner else (tw[1] if tw else None)
        c = _citation(t, start, m.end(), sym, kind, symbol_span=(m.start(), m.end()))
        if owner:
            c.title = owner.name
        if tw and tw[2]:
            c.noise.append("no_diacritics")
        if "glued" not in c.noise and m.start() > 0 and t.match[m.start() - 1].isalpha():
            c.noise.append("glued")
        found.append(c)
    for n in named:
        found.append(_named_citation(t, n))
    found.sort(key=lambda c: c.loc.start)
    _finish(t, found, _list_members(t, found))
    return found


def _citation(t: Text, start: int, sym_end: int, sym: Symbol, kind: str | None,
              symbol_span: tuple[int, int]) -> Citation:
    end = sym_end
    date = date_after(t, sym_end)
    iso = date_raw = None
    if date:
        end = date.end
        iso = date.iso
        date_raw = t.match[date.raw_start:date.end]
    c = Citation(
        id=sym.id,
        kind=kind or sym.code_kind or ("Công văn" if sym.type_code is None else "Văn bản"),
        raw="",
        number=sym.number,
        year=sym.year or (int(iso[:4]) if iso else None),
        type_code=sym.type_code,
        organ_code="-".join(sym.organs) or None,
        date=iso,
        date_raw=date_raw,
        issuer_implied=implied_issuer(sym.organs),
        party=sym.party,
        normative=sym.normative,
        noise=list(sym.noise),
        loc=Loc(start=start, end=end),
    )
    if kind is None and sym.code_kind is None and sym.type_code is None:
        c.kind = "Công văn"
    symbol_text = t.match[symbol_span[0]:symbol_span[1]]
    if " " in symbol_text or "\t" in symbol_text:
        c.noise.append("spaces")
    return c


def _named_citation(t: Text, n: Named) -> Citation:
    end = n.end
    year = None
    iso = date_raw = None
    date = date_after(t, n.end)
    if date:
        end, iso = date.end, date.iso
        date_raw = t.match[date.raw_start:date.end]
        year = int(iso[:4]) if iso else None
    else:
        y = YEAR_AFTER_CITATION.match(t.match, n.end)
        if y:
            end, year = y.end(), int(y["y"])
    implied = {"Luật": "Quốc hội", "Bộ luật": "Quốc hội", "Hiến pháp": "Quốc hội",
               "Pháp lệnh": "Ủy ban Thường vụ Quốc hội"}.get(n.kind)
    return Citation(
        id=n.name,
        kind=n.kind,
        raw="",
        year=year,
        date=iso,
        date_raw=date_raw,
        issuer_implied=implied,
        party=n.kind == "Nghị quyết",
        normative=n.kind != "Nghị quyết",  # laws are normative though their symbol is not written
        loc=Loc(start=n.start, end=end),
    )


def _list_members(t: Text, cits: list[Citation]) -> list[bool]:
    """Which citations continue a list ("..., 108/2020/NĐ-CP", "... và 19-NQ/TW"); they take the list's kind
    unless their own type code says otherwise."""
    member = [False] * len(cits)
    for i in range(1, len(cits)):
        prev, cur = cits[i - 1], cits[i]
        if cur.number and t.match[cur.loc.start].isdigit() and \
                P.LIST_GAP.fullmatch(t.match, prev.loc.end, cur.loc.start):
            member[i] = True
            own = kind_of_code(cur.type_code, ("party",) if cur.party else ("vbqppl", "nd30", "pre2020", "pre2008"))
            if own is None or prev.kind.startswith(own):
                cur.kind = prev.kind
    return member


def _finish(t: Text, cits: list[Citation], members: list[bool]) -> None:
    """Issuers, titles, offsets into the original text, lines, noise and registry rows."""
    _issuers_and_titles(t, cits, members)
    _locate(t, cits)


def _issuers_and_titles(t: Text, cits: list[Citation], members: list[bool]) -> None:
    """The issuer and title after each citation; a title stops where the next citation starts."""
    for i, c in enumerate(cits):
        limit = cits[i + 1].loc.start if i + 1 < len(cits) else len(t.match)
        pos = c.loc.end
        iss = issuer_after(t, pos)
        if iss and iss[1] <= limit:
            c.issuer, pos = iss
            date = None if c.date_raw else date_after(t, pos)
            if date and date.end <= limit:  # "44/2011/NĐ-CP của Chính phủ ngày 14 tháng 6 năm 2011"
                c.date, c.date_raw = date.iso, t.match[date.raw_start:date.end]
                c.year = c.year or (int(date.iso[:4]) if date.iso else None)
                c.loc = Loc(start=c.loc.start, end=date.end)
                pos = date.end
        title = title_after(t, pos, limit)
        if title:
            c.title = c.title or title
    # the "của ..." after a list belongs to the members before it that have no date of their own:
    # "Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020 của Chính phủ"
    for i in range(len(cits) - 1, 0, -1):
        if not members[i] or cits[i].issuer is None:
            continue
        j = i - 1
        while j >= 0 and members[j + 1] and cits[j].date is None and cits[j].issuer is None:
            cits[j].issuer = cits[i].issuer
            cits[j].title = cits[j].title or cits[i].title
            j -= 1


def _locate(t: Text, cits: list[Citation]) -> None:
    """Offsets back into the original text, lines, noise, registry."""
    text = t.original
    line = 1
    pos = 0
    # the bounds of the current line, found once per line: a line of many citations stays linear
    line_start, line_end, line_has_tab = 0, -1, False
    folded = t.match is not t.original and t.back is None or (t.back is not None and NEEDS_ONE_TO_ONE.search(text))
    learned = None  # the registry of documents in force, for laws cited by name: found once
    for c in cits:
        # NFC changed this citation's text only if it stands on a line NFC changed
        if t.back is None:
            s, e, nfc_changed = c.loc.start, c.loc.end, False
        else:
            s, e, nfc_changed = t.back.span(c.loc.start, c.loc.end)
        line += text.count("\n", pos, s)
        pos = s
        loc = c.loc  # its own, made in _citation or _named_citation
        loc.start, loc.end, loc.line = s, e, line
        c.raw = text[s:e]
        if not line_start <= s <= line_end:
            line_start = text.rfind("\n", 0, s) + 1
            line_end = text.find("\n", s)
            line_end = line_end if line_end >= 0 else len(text)
            line_has_tab = "\t" in text[line_start:line_end]
        c.in_table = line_has_tab
        c.noise = _noise(c, folded, nfc_changed)
        if c.date_raw:
            c.date_raw = P.squeeze(c.date_raw)
        if learned is None and c.number is None:
            from vanban.registry import current

            learned = current()
        c.registry = resolve(c, learned)
        c.symbol = c.id if c.number else (c.registry or {}).get("symbol")


def _noise(c: Citation, folded: object, nfc_changed: bool) -> list[str]:
    """The citation's noise, with what the text as written shows in its span."""
    noise = c.noise
    if folded and NEEDS_ONE_TO_ONE.search(c.raw):  # look-alikes or odd dashes here: which ones? (in C)
        if not CYRILLIC.isdisjoint(c.raw):
            noise.append("cyrillic")
        if not GREEK.isdisjoint(c.raw):
            noise.append("greek")
        if "Ð" in c.raw or "ð" in c.raw:
            noise.append("eth")
        if not DASHES.isdisjoint(c.raw):
            noise.append("dash")
    if "\n" in c.raw:
        noise.append("line_break")
    if nfc_changed and not unicodedata.is_normalized("NFC", c.raw):
        noise.append("nfd")
    return list(dict.fromkeys(noise)) if len(noise) > 1 else noise

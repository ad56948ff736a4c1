"""The signature block of a document: authority (TM., KT., ...), title and name of the signer.

"TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / (signature) / "Nguyễn Văn A",
in its common layouts: one column under the last article, two columns beside
"Nơi nhận:" (in one table, or as lines that a rendering interleaved).
"""

from __future__ import annotations

import re

from vanban.model import Decision, Loc, Signer
from vanban.normalize.lines import Para, is_upper_title

_AUTHORITY = re.compile(r"^(?P<auth>TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*[.]?\s+(?P<rest>.+)$")
_NAME = re.compile(r"^[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*){1,5}$")
_SIGNED = re.compile(r"\(\s*đã ký\s*\)|\(\s*ký\s*(?:,|và)?\s*ghi rõ họ tên\s*\)", re.IGNORECASE)
_SIG_SPLIT = re.compile(r"\s+(?=(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.\s)|\s*\(\s*[Đđ]ã ký\s*\)\s*")
_TRAILING_NAME = re.compile(r"^(?P<title>.+?[A-ZĐ])\s+(?P<name>(?:[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+)(?:\s+[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+){1,4})$")


def position_title(text: str) -> str:
    """'PHÓ CHỦ TỊCH' -> 'Phó Chủ tịch'; 'CHỦ TỊCH' -> 'Chủ tịch'."""
    low = " ".join(text.split()).lower()
    low = low[:1].upper() + low[1:]
    return re.sub(r"\b(Phó|Quyền)\s+(\w)", lambda m: f"{m.group(1)} {m.group(2).upper()}", low)


def _signature_lines(paras: list[Para], k: int, limit: int = 10) -> list[Para]:
    """The lines of a signature block, with lines that a rendering ran together
    ('TM. CHÍNH PHỦ KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG (Đã ký) Lê Thành Long') cut apart."""
    out: list[Para] = []
    for p in paras[k : k + limit]:
        for piece in _SIG_SPLIT.split(p.text):
            piece = piece.strip()
            if not piece:
                continue
            m = _TRAILING_NAME.match(piece)
            if m and is_upper_title(m.group("title")):
                out.append(Para(m.group("title"), p.loc, in_table=p.in_table))
                out.append(Para(m.group("name"), p.loc, in_table=p.in_table))
            else:
                out.append(Para(piece, p.loc, in_table=p.in_table))
    return out


def parse_signature(paras: list[Para], k: int, dec: Decision) -> int:
    """'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' / (signature) / 'Nguyễn Văn A'.

    Returns the index of the first paragraph after the block."""
    signer = Signer(loc=paras[k].loc)
    titles: list[str] = []
    consumed_loc = paras[k].loc
    for p in _signature_lines(paras, k):
        t = p.text
        m = _AUTHORITY.match(t)
        if m:
            auth = m.group("auth").replace("/", "").upper() + "."
            rest = m.group("rest").strip()
            if auth == "TM.":
                signer.authority = signer.authority or "TM."
                signer.on_behalf_of = rest
            else:
                signer.authority = auth
                # "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG" run together: the head's title, then the deputy's
                head, sep, deputy = rest.partition(" PHÓ ")
                titles.extend([head, "PHÓ " + deputy] if sep else [rest])
        elif _SIGNED.search(t) or t.startswith("("):
            pass
        elif is_upper_title(t) and len(t) < 60:
            titles.append(t)
        elif _NAME.match(t):
            signer.name = t
            consumed_loc = p.loc
            break
        else:
            break
        consumed_loc = p.loc
    if titles:
        signer.title = position_title(titles[-1])
    signer.loc = Loc(paras[k].loc.start, consumed_loc.end, paras[k].loc.line, paras[k].loc.page)
    dec.signer = signer
    j = k
    while j < len(paras) and paras[j].loc.start <= consumed_loc.start:
        j += 1
    return j


def complete_signer(dec: Decision, lines: list[Para]) -> None:
    """Signature lines that a two-column layout interleaved with the recipients."""
    s = dec.signer
    if s is None:
        return
    for p in lines:
        t = p.text
        if s.title is None and is_upper_title(t) and not _AUTHORITY.match(t):
            s.title = position_title(t)
        elif s.name is None and _NAME.match(t) and not is_upper_title(t):
            s.name = t

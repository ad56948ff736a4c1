"""The signature block of a document: authority (TM., KT., ...), title and name of the signer.

"TM. ỦY BAN NHÂN DÂN" / "KT. CHỦ TỊCH" / "PHÓ CHỦ TỊCH" / (signature) / "Nguyễn Văn A",
in its common layouts: one column under the last article, two columns beside
"Nơi nhận:" (in one table, or as lines that a rendering interleaved).
"""

from __future__ import annotations

import re

from vanban.model import Loc, Signer, TextValue
from vanban.normalize.found import Structure
from vanban.normalize.lines import Para, _strip_bullet, _trim_end, is_upper_title, match_type_line

# "TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "T/M BAN THƯỜNG VỤ", and in old documents "KT.Bộ trưởng", "Kt. Bộ trưởng", "KT/ bộ trưởng"
_AUTHORITY = re.compile(r"^(?P<auth>TM|KT|TL|TUQ|T/M|K/T|T/L|Q(?=\.))(?:\s*[./]\s*|\s+)(?P<rest>[^\W\d_].*)$", re.IGNORECASE)
_NAME = re.compile(r"^[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*(?:\s+[A-ZĐÂĂÊÔƠƯÁÀẢÃẠÍÌỈĨỊÚÙỦŨỤÝỲỶỸỴÉÈẺẼẸÓÒỎÕỌ][^\s\d,.;:()]*){1,5}$")
_SIGNED = re.compile(r"\(\s*đã ký\s*\)|\(\s*ký\s*(?:,|và)?\s*ghi rõ họ tên\s*\)|^\s*đã ký\s*$", re.IGNORECASE)
_NAME_SIGNED = re.compile(r"^(?P<name>[^\W\d_].*?)\s+đã ký$", re.IGNORECASE)
_SIG_SPLIT = re.compile(
    r"\s+(?=(?:TM|KT|TL|TUQ|Q|T/M|K/T|T/L)\s*\.\s)|\s*\(\s*[Đđ]ã ký\s*\)\s*|\s*\[\s*(?:daky|đã ký|da ky|chữ ký)\s*\]\s*", re.IGNORECASE
)
# the titles of signers, in any case ("BỘ TRƯỞNG", "Thứ trưởng"), alone on a line or after the organ ("CHỦ TỊCH QUỐC HỘI")
SIGNING_TITLES = (
    "CHỦ TỊCH", "PHÓ CHỦ TỊCH", "BỘ TRƯỞNG", "THỨ TRƯỞNG", "THỦ TƯỚNG", "PHÓ THỦ TƯỚNG", "GIÁM ĐỐC", "PHÓ GIÁM ĐỐC",
    "TỔNG GIÁM ĐỐC", "CHÁNH VĂN PHÒNG", "PHÓ CHÁNH VĂN PHÒNG", "TRƯỞNG BAN", "PHÓ TRƯỞNG BAN", "BÍ THƯ", "PHÓ BÍ THƯ",
    "CHỦ NHIỆM", "PHÓ CHỦ NHIỆM", "CỤC TRƯỞNG", "PHÓ CỤC TRƯỞNG", "VỤ TRƯỞNG", "VIỆN TRƯỞNG", "HIỆU TRƯỞNG", "THỐNG ĐỐC",
    "PHÓ THỐNG ĐỐC", "TỔNG KIỂM TOÁN", "CHÁNH ÁN", "TRƯỞNG PHÒNG", "CHÁNH THANH TRA", "TỔNG CỤC TRƯỞNG",
)
_TITLE = re.compile(r"^(?:" + "|".join(sorted(map(re.escape, SIGNING_TITLES), key=len, reverse=True)) + r")\b", re.IGNORECASE)
# the deputy's title run onto the head's after KT.: "KT. BỘ TRƯỞNG THỨ TRƯỞNG", "KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG"
_DEPUTY = re.compile(r"\s(?=(?:PHÓ|THỨ TRƯỞNG)\b)", re.IGNORECASE)


def is_signing_title(text: str) -> bool:
    """A signer's title on its own ("CHỦ TỊCH QUỐC HỘI", "Thứ trưởng"), not a sentence about one."""
    t = text.strip()
    return bool(_TITLE.match(t)) and len(t) <= 60 and not t.endswith((".", ";", ",", ":")) and (is_upper_title(t) or len(t.split()) <= 3)
_TRAILING_NAME = re.compile(r"^(?P<title>.+?[A-ZĐ])\s+(?P<name>(?:[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+)(?:\s+[A-ZĐÂĂÊÔƠƯ][a-zđà-ỹ]+){1,4})$")


def position_title(text: str) -> str:
    """'PHÓ CHỦ TỊCH' -> 'Phó Chủ tịch'; 'CHỦ TỊCH' -> 'Chủ tịch'."""
    low = " ".join(text.split()).lower()
    low = low[:1].upper() + low[1:]
    return re.sub(r"\b(Phó|Quyền)\s+(\w)", lambda m: f"{m.group(1)} {m.group(2).upper()}", low)


def _signature_lines(paras: list[Para], k: int, limit: int = 10) -> list[Para]:
    """The lines of a signature block from paragraph `k` on, cut apart (`split_signature_text`)."""
    return [q for p in paras[k : k + limit] for q in split_signature_text(p)]


def split_signature_text(p: Para) -> list[Para]:
    """A line of a signature block with what a rendering ran together cut apart:
    'TM. CHÍNH PHỦ KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG (Đã ký) Lê Thành Long', 'BỘ TRƯỞNG (Đã ký) Nguyễn Mạnh Hùng'."""
    out: list[Para] = []
    for piece in _SIG_SPLIT.split(p.text):
        piece = piece.strip()
        if not piece:
            continue
        if (s := _NAME_SIGNED.match(piece)) and is_name(s.group("name")):  # "Nguyễn Tấn Dũng đã ký"
            out.append(Para(s.group("name"), p.loc, in_table=p.in_table))
            continue
        m = _TRAILING_NAME.match(piece)
        if m and is_upper_title(m.group("title")):
            out.append(Para(m.group("title"), p.loc, in_table=p.in_table))
            out.append(Para(m.group("name"), p.loc, in_table=p.in_table))
        else:
            out.append(Para(piece, p.loc, in_table=p.in_table))
    return out


def _authority(signer: Signer, m: re.Match[str], titles: list[str]) -> None:
    auth = m.group("auth").replace("/", "").upper() + "."
    rest = m.group("rest").strip()
    if auth == "TM.":
        signer.authority = signer.authority or "TM."
        signer.on_behalf_of = rest
    else:
        # "KT. CHỦ TỊCH": the head the signer signs for, not the signer's own title, which
        # follows ("PHÓ CHỦ TỊCH"), or was run together with it ("KT. THỦ TƯỚNG PHÓ THỦ TƯỚNG")
        signer.authority = auth
        if m2 := _DEPUTY.search(rest):
            titles.append(rest[m2.end() :])


def signer_from_lines(lines: list[Para]) -> tuple[Signer, int]:
    """The signer the lines of a signature block name, and how many lines it used.

    Authority lines ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH"), titles in capitals,
    "(Đã ký)" and the like, then the name, which ends the block."""
    signer = Signer(loc=lines[0].loc if lines else Loc())
    titles: list[str] = []
    used = 0
    for n, p in enumerate(lines, 1):
        t = p.text
        if m := _AUTHORITY.match(t):
            _authority(signer, m, titles)
        elif _SIGNED.search(t) or t.startswith(("(", "[")):
            pass
        elif (is_upper_title(t) and len(t) < 60) or is_signing_title(" ".join(t.split())):
            titles.append(t)
        elif _NAME.match(t):
            signer.name = t
            used = n
            break
        else:
            break
        used = n
    if titles:
        signer.title = position_title(titles[-1])
    return signer, used


def parse_signature(paras: list[Para], k: int, dec: Structure) -> int:
    """'TM. ỦY BAN NHÂN DÂN' / 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH' / (signature) / 'Nguyễn Văn A'.

    Returns the index of the first paragraph after the block."""
    lines = _signature_lines(paras, k)
    signer, used = signer_from_lines(lines)
    consumed_loc = lines[used - 1].loc if used else paras[k].loc
    signer.loc = Loc(paras[k].loc.start, consumed_loc.end, paras[k].loc.line, paras[k].loc.page)
    dec.signer = signer
    j = k
    while j < len(paras) and paras[j].loc.start <= consumed_loc.start:
        j += 1
    return j


def complete_signer(dec: Structure, lines: list[Para]) -> None:
    """Signature lines that a two-column layout put beside the recipients: they complete
    the signer found before them, or are the whole signature block ("GIÁM ĐỐC" / name)."""
    if not lines:
        return
    s = dec.signer
    if s is None:
        signer, used = signer_from_lines(lines := [q for line in lines for q in split_signature_text(line)])
        if signer.name or signer.title or signer.authority:
            last = lines[max(used, 1) - 1].loc
            signer.loc = Loc(lines[0].loc.start, last.end, lines[0].loc.line, lines[0].loc.page)
            dec.signer = signer
        return
    for p in [q for line in lines for q in split_signature_text(line)]:
        t = p.text
        if s.title is None and is_upper_title(t) and not _AUTHORITY.match(t):
            s.title = position_title(t)
        elif s.name is None and _NAME.match(t) and not is_upper_title(t):
            s.name = t


_UPPER = "A-ZĐÂĂÊÔƠƯÁÀẢÃẠẤẦẨẪẬẮẰẲẴẶÉÈẺẼẸẾỀỂỄỆÍÌỈĨỊÓÒỎÕỌỐỒỔỖỘỚỜỞỠỢÚÙỦŨỤỨỪỬỮỰÝỲỶỸỴ"
# the signature column's part at the end of a recipients line: "Nơi nhận: KT. CHỦ TỊCH",
# "- Như Điều 2; PHÓ CHỦ TỊCH" (a text layer joins the two columns of one height)
_RIGHT_AUTHORITY = re.compile(r"\s(?=(?:TM|KT|TL|TUQ|T/M|K/T|T/L)\s*[./]\s*[^\W\d_])")
_RIGHT_TITLE = re.compile(rf"(?<=[;:.,)])\s+(?P<right>[{_UPPER}][{_UPPER}]+(?:\s+[{_UPPER}][{_UPPER}]*){{1,6}})$")
_BULLET = ("-", "–", "+", "•")
_MOTTO_WORDS = re.compile(r"CỘNG\s+H[OÒ][AÀ]\s+XÃ|ĐẢNG\s+CỘNG\s+SẢN|Độc\s+lập\s*-", re.IGNORECASE)
_ORGAN_START = ("ỦY BAN", "UỶ BAN", "UBND", "BQL", "BAN QUẢN LÝ", "SỞ ", "BỘ ", "VĂN PHÒNG", "HỘI ĐỒNG", "HUYỆN", "TỈNH", "CỤC ")


def split_columns(p: Para) -> tuple[Para | None, Para | None]:
    """A line of the recipients' column and the signature column beside it, cut apart.

    >>> loc = Loc(0, 0, 1, 1)
    >>> [q.text if q else None for q in split_columns(Para("- Như Điều 2; PHÓ CHỦ TỊCH", loc))]
    ['- Như Điều 2;', 'PHÓ CHỦ TỊCH']
    >>> [q.text if q else None for q in split_columns(Para("Nơi nhận: KT. CHỦ TỊCH", loc))]
    ['Nơi nhận:', 'KT. CHỦ TỊCH']
    >>> [q.text if q else None for q in split_columns(Para("- Lưu: VT, TCCC.", loc))]
    ['- Lưu: VT, TCCC.', None]
    """
    t = p.text
    m = _RIGHT_AUTHORITY.search(t)
    cut = m.start() if m and m.start() > 0 else None
    if cut is None and (m2 := _RIGHT_TITLE.search(t)) and len(m2.group("right").split()) >= 2:
        cut = m2.start("right")
    if cut is None:
        cut = _column_gap(t)
    if cut is None:
        return p, None
    left, right = t[:cut].rstrip(_GAP_CHARS), t[cut:].strip(_GAP_CHARS)
    off = p.loc.start + t.index(right, cut)
    return (
        Para(left, Loc(p.loc.start, p.loc.start + len(left), p.loc.line, p.loc.page), p.bold, p.in_table),
        Para(right, Loc(off, off + len(right), p.loc.line, p.loc.page), p.bold, p.in_table),
    )


#: the gap between two columns a text dump puts on one line: a run of spaces, tabs, or a table's bar
_GAP = re.compile(r"[ \u00a0\u2000-\u200a]{4,}|\t+|\|")
_GAP_CHARS = " \t|\u00a0" + "".join(map(chr, range(0x2000, 0x200B)))


def _recipient(text: str) -> str:
    """A recipient as written, without its bullet, its end's punctuation and a text dump's table bars:
    "- VP Quốc hội||" -> "VP Quốc hội"."""
    return _trim_end(_strip_bullet(" ".join(text.replace("|", " ").split())))


def _column_gap(t: str) -> int | None:
    """Where the signature column starts on a recipients line of a text dump that keeps the two columns
    apart by a wide gap or a bar: "- Công báo          Vũ Văn Ninh", "- Toà án nhân dân tối cao,\t\t\tNguyễn Tấn
    Dũng đã ký", "Nơi nhận:|Kt. Bộ trưởng Bộ Tài chính|". Only when what stands there is signature-like: a
    second column of recipients stays with them."""
    for m in _GAP.finditer(t):
        if not t[: m.start()].strip(_GAP_CHARS):
            continue
        right = t[m.end():].strip(_GAP_CHARS)
        if right and (_signature_like(right) or any(_signature_like(q.text) for q in split_signature_text(Para(right, Loc())))):
            return len(t) - len(t[m.end():].lstrip(_GAP_CHARS))
        return None
    return None


_NOT_NAMES = ("Chương", "Mục", "Phần", "Điều", "Phụ", "Nơi", "Kính", "Căn")


def is_name(t: str) -> bool:
    """A person's name as a signature block writes it: 'Nguyễn Văn An' (not 'GIÁM ĐỐC', 'Chương XI')."""
    if not _NAME.match(t) or is_upper_title(t) or t.startswith(_NOT_NAMES):
        return False
    return all(len(w) == 1 or w[1:].islower() for w in t.split())


def _signature_like(t: str) -> bool:
    if (s := _NAME_SIGNED.match(t)) and is_name(s.group("name")):  # "Nguyễn Tấn Dũng đã ký"
        return True
    return bool(_AUTHORITY.match(t) or _SIGNED.search(t) or (is_upper_title(t) and len(t) < 40) or _NAME.match(t)
                or is_signing_title(" ".join(t.split())))


def parse_recipients(paras: list[Para], k: int, dec: Structure, article: re.Pattern[str]) -> int:
    """The "Nơi nhận:" list from line `k` on, and the signature column beside it; returns the next line.

    Recipients are the dashed lines; signature lines found beside or between them
    (in a table, as tab-separated cells, or run together on one line) complete the
    signer, or are the whole signature block when none was found before."""
    left, right = split_columns(paras[k])
    t = left.text if left else ""
    rest = t.split(":", 1)[1].strip() if ":" in t else ""
    if rest:
        dec.recipients.append(TextValue(_recipient(rest), left.loc))
    side: list[Para] = [right] if right else []
    k += 1
    while k < len(paras):
        p = paras[k]
        t2 = p.text.strip()
        continues = t2[:1].islower() and dec.recipients and (dec.recipients[-1].loc.line or 0) >= (p.loc.line or 0) - 1
        if side and is_name(side[-1].text) and not t2.startswith(_BULLET) and not continues:
            break  # the name ends the signature block (a recipient running onto this line goes on: two columns)
        if match_type_line(t2) and not _AUTHORITY.match(t2) and not t2.startswith(_BULLET):
            break  # an attached part starts ("KẾ HOẠCH", "PHỤ LỤC")
        if article.match(t2) or _MOTTO_WORDS.search(t2):
            break  # the next part's body, or its header ("CỘNG HÒA XÃ HỘI ...")
        if is_upper_title(t2) and t2.upper().startswith(_ORGAN_START) and not _AUTHORITY.match(t2):
            break  # an organ's name after the signature column: the next part's header ("BQL CÁC KHU CÔNG NGHIỆP")
        left, right = split_columns(p)
        if t2.startswith(_BULLET) or t2.startswith(". "):  # old texts dot some recipients: ". Văn phòng Quốc hội"
            dec.recipients.append(TextValue(_recipient(left.text.removeprefix(". ")), left.loc))
            if right:
                side.append(right)
        elif _signature_like(t2):
            side.append(p)
        elif continues:
            last = dec.recipients[-1]  # a recipient running onto the next line: "- Viện kiểm sát NDTC, Tòa án" / "nhân dân tối cao"
            dec.recipients[-1] = TextValue(_recipient(f"{last.text} {left.text}"), Loc(last.loc.start, left.loc.end, last.loc.line, last.loc.page))
            if right:
                side.append(right)
        else:
            break
        k += 1
    complete_signer(dec, side)
    return k


def signs_here(paras: list[Para], k: int) -> bool:
    """A signature block with no authority line starts at `k`: a signer's title, then (after
    "(Đã ký)" and the like) a name: "CHỦ TỊCH QUỐC HỘI" / "Vương Đình Huệ", "BỘ TRƯỞNG (Đã ký) Nguyễn Mạnh Hùng"."""
    lines = _signature_lines(paras, k, limit=4)
    if not lines or not is_signing_title(lines[0].text):
        return False
    for q in lines[1:6]:
        if is_name(q.text):
            return True
        if not (_SIGNED.search(q.text) or q.text.startswith(("(", "[")) or is_signing_title(q.text)):
            return False
    return False

"""Generators of hostile and broken input files for the tests: cheap, deterministic, no binaries committed.

Each `make_*` writes one file and returns its path. They build the bytes by hand
(PDF objects, zip members, WordprocessingML) so that a 2,000-page PDF or a zip
bomb of gigabytes costs milliseconds and a few megabytes at most.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zipfile
import zlib
from pathlib import Path

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

# --------------------------------------------------------------------------- PDF by hand

PAGE_LINES = [
    "Triển khai rà soát thủ tục hành chính thuộc thẩm quyền giải quyết của tỉnh,",
    "theo quy định tại Nghị định số 107/2020/NĐ-CP của Chính phủ về cải cách",
    "hành chính; báo cáo kết quả thực hiện về Sở Nội vụ trước ngày 15 hằng tháng.",
    "Các sở, ban, ngành chủ động phối hợp với Ủy ban nhân dân cấp huyện",
    "trong việc kiểm tra, đôn đốc thực hiện nhiệm vụ được giao tại Kế hoạch này;",
    "đẩy mạnh chuyển đổi số, nâng cao chất lượng cung cấp dịch vụ công trực tuyến",
    "toàn trình cho người dân và doanh nghiệp trên địa bàn tỉnh Lâm Đồng.",
    "Kinh phí thực hiện được bố trí từ nguồn ngân sách nhà nước theo phân cấp",
    "hiện hành và các nguồn huy động hợp pháp khác theo quy định của pháp luật.",
    "Trong quá trình tổ chức thực hiện, nếu có khó khăn, vướng mắc, các cơ quan",
    "kịp thời phản ánh về Sở Nội vụ để tổng hợp, báo cáo Ủy ban nhân dân tỉnh xem xét.",
    "Tăng cường công tác tuyên truyền về cải cách hành chính đến cán bộ, công chức.",
    "Thực hiện nghiêm kỷ luật, kỷ cương hành chính gắn với trách nhiệm người đứng đầu.",
]

#: single-byte codes (0x80 up) for the non-ASCII letters of the generated pages; the font's
#: ToUnicode map turns them back into Unicode, as a real embedded font's map does
_VI_CODES = {ch: 0x80 + i for i, ch in enumerate(sorted({ch for ln in PAGE_LINES for ch in ln if ord(ch) > 127}))}


def _encode_vi(text: str) -> bytes:
    out = bytearray()
    for ch in text:
        if ch in _VI_CODES:
            out.append(_VI_CODES[ch])
        elif ch in "()\\":
            out += b"\\" + ch.encode()
        else:
            out += ch.encode("ascii")
    return bytes(out)


def _to_unicode_cmap() -> bytes:
    entries = "\n".join(f"<{code:02X}> <{ord(ch):04X}>" for ch, code in _VI_CODES.items())
    ascii_range = "<20> <7E> <0020>"
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CMapName /VanbanTest def /CMapType 2 def\n"
        "1 begincodespacerange <00> <FF> endcodespacerange\n"
        f"1 beginbfrange {ascii_range} endbfrange\n"
        f"{len(_VI_CODES)} beginbfchar\n{entries}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode("ascii")


def _pdf(objects: dict[int, bytes], root: int, *, trailer_extra: bytes = b"") -> bytes:
    """A PDF file with these numbered objects, a cross-reference table and a trailer."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    for num in sorted(objects):
        offsets[num] = len(out)
        out += f"{num} 0 obj\n".encode() + objects[num] + b"\nendobj\n"
    size = max(objects) + 1
    xref = len(out)
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for num in range(1, size):
        out += (f"{offsets[num]:010d} 00000 n \n" if num in offsets else "0000000000 65535 f \n").encode()
    out += f"trailer\n<< /Size {size} /Root {root} 0 R ".encode() + trailer_extra + b">>\n"
    out += f"startxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(data: bytes, extra: bytes = b"") -> bytes:
    return b"<< /Length %d " % len(data) + extra + b">>\nstream\n" + data + b"\nendstream"


def _page_content(lines: list[str]) -> bytes:
    ops = [b"BT /F1 11 Tf 14 TL 56 790 Td"]
    for ln in lines:
        ops.append(b"(" + _encode_vi(ln) + b") Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)




def pdf_bytes_many_pages(pages: int, lines_per_page: int = 30) -> bytes:
    """A text PDF of `pages` pages of Vietnamese prose (~0.3 KB a page: 2,000 pages cost ~1 MB).

    Each page takes its lines from `PAGE_LINES` in a different rotation, so that
    no line sits at the same place on most pages (it would be dropped as a running header).
    """
    font, cmap, first = 3, 4, 5
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        font: (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 255 "
               b"/Widths [" + b" ".join([b"500"] * 224) + b"] /ToUnicode 4 0 R >>"),
        cmap: _stream(_to_unicode_cmap()),
    }
    kids = []
    n = len(PAGE_LINES)
    for i in range(pages):
        page, content = first + 2 * i, first + 2 * i + 1
        kids.append(f"{page} 0 R".encode())
        lines = [PAGE_LINES[(i * 7 + k * (1 + i % (n - 1))) % n] for k in range(lines_per_page)]
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
        objects[content] = _stream(_page_content(lines))
    objects[2] = b"<< /Type /Pages /Count %d /Kids [" % pages + b" ".join(kids) + b"] >>"
    return _pdf(objects, 1)


def make_many_page_pdf(path: Path, pages: int = 2000) -> Path:
    path.write_bytes(pdf_bytes_many_pages(pages))
    return path


# Standard security handler, revision 2 (40-bit RC4): PDF 1.7 §7.6.3, algorithms 2, 3 and 4.
_PAD = bytes.fromhex("28BF4E5E4E758A4164004E56FFFA01082E2E00B6D0683E802F0CA9FE6453697A")


def _rc4(key: bytes, data: bytes) -> bytes:
    s = list(range(256))
    j = 0
    for i in range(256):
        j = (j + s[i] + key[i % len(key)]) % 256
        s[i], s[j] = s[j], s[i]
    i = j = 0
    out = bytearray()
    for byte in data:
        i = (i + 1) % 256
        j = (j + s[i]) % 256
        s[i], s[j] = s[j], s[i]
        out.append(byte ^ s[(s[i] + s[j]) % 256])
    return bytes(out)


def encrypted_pdf_bytes(user_password: bytes = b"mat-khau", owner_password: bytes = b"chu-so-huu") -> bytes:
    """A one-page PDF encrypted with RC4-40 and a user password: no reader opens it without the password."""
    permissions = -4  # everything allowed once opened
    file_id = hashlib.md5(b"vanban hostile encrypted").digest()
    o_key = hashlib.md5((owner_password + _PAD)[:32]).digest()[:5]
    o_value = _rc4(o_key, (user_password + _PAD)[:32])
    key = hashlib.md5((user_password + _PAD)[:32] + o_value + struct.pack("<i", permissions) + file_id).digest()[:5]
    u_value = _rc4(key, _PAD)

    def object_key(num: int) -> bytes:
        return hashlib.md5(key + struct.pack("<I", num)[:3] + b"\x00\x00").digest()[:10]

    content = _rc4(object_key(4), _page_content(PAGE_LINES))
    objects = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        2: b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        4: _stream(content),
        5: b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        6: (b"<< /Filter /Standard /V 1 /R 2 /O <" + o_value.hex().encode() + b"> /U <" + u_value.hex().encode()
            + b"> /P %d >>" % permissions),
    }
    fid = file_id.hex().encode()
    return _pdf(objects, 1, trailer_extra=b"/Encrypt 6 0 R /ID [<" + fid + b"> <" + fid + b">] ")


# --------------------------------------------------------------------------- DOCX by hand

_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/word/document.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>')
_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
         'Target="word/document.xml"/></Relationships>')


def docx_document_xml(body: str, doctype: str = "") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f'<w:document xmlns:w="{W}"><w:body>{body}<w:sectPr/></w:body></w:document>')


def p(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def make_docx(path: Path, body: str, *, doctype: str = "", extra: dict[str, bytes] | None = None) -> Path:
    """A minimal .docx whose body is `body` (WordprocessingML)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
        z.writestr("word/document.xml", docx_document_xml(body, doctype))
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return path


def nested_tables_body(depth: int, text: str = "lõi") -> str:
    """`depth` tables, each the only cell of the one around it."""
    inner = p(text)
    for level in range(depth):
        inner = f"<w:tbl><w:tr><w:tc>{p(f'mức {depth - level}')}{inner}</w:tc></w:tr></w:tbl><w:p/>"
    return p("Bảng lồng nhau") + inner


def _zero_deflate(total: int) -> tuple[bytes, int]:
    """A raw deflate stream of `total` zero bytes (a multiple of 1 MiB) and its CRC-32, built from one
    compressed 1 MiB block repeated: full flushes make every block's bytes identical."""
    chunk = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush()
    n = total >> 20
    crc = 0
    big = bytes(16 << 20)
    left = total
    while left:
        step = min(left, len(big))
        crc = zlib.crc32(big[:step] if step < len(big) else big, crc)
        left -= step
    return first + block * (n - 1) + tail, crc


def make_zip_bomb_docx(path: Path, inflated: int = 2 << 30) -> Path:
    """A .docx whose word/document.xml inflates to `inflated` bytes (default 2 GiB of zeros) from ~2 MB.

    The sizes and CRC are true, so only a reader that checks the declared sizes
    before inflating refuses it cheaply; one that inflates runs out of time or memory.
    """
    data, crc = _zero_deflate(inflated)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT)
        z.writestr("_rels/.rels", _RELS)
    # append the bomb member by hand: zipfile cannot write pre-compressed data
    with zipfile.ZipFile(path) as z:
        members = [(info, z.read(info.filename)) for info in z.infolist()]
    out = bytearray()
    central = bytearray()
    entries = [(info.filename.encode(), zlib.compress(raw)[2:-4], zlib.crc32(raw), len(raw)) for info, raw in members]
    entries.append((b"word/document.xml", data, crc, inflated))
    for name, comp, crc32, size in entries:
        offset = len(out)
        out += struct.pack("<4s5H3I2H", b"PK\x03\x04", 20, 0, 8, 0, 0, crc32, len(comp), size, len(name), 0) + name + comp
        central += struct.pack("<4s6H3I5H2I", b"PK\x01\x02", 20, 20, 0, 8, 0, 0, crc32, len(comp), size,
                               len(name), 0, 0, 0, 0, 0, offset) + name
    end = struct.pack("<4s4H2IH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(central), len(out), 0)
    path.write_bytes(bytes(out + central + end))
    return path


# --------------------------------------------------------------------------- the rest


def random_bytes(n: int, seed: int) -> bytes:
    return random.Random(seed).randbytes(n)


#: a short but complete decision: good output, used for the odd file names
SMALL_DECISION = """ỦY BAN NHÂN DÂN
TỈNH LÂM ĐỒNG
Số: 12/QĐ-UBND\tLâm Đồng, ngày 05 tháng 01 năm 2026
QUYẾT ĐỊNH
Về việc ban hành Kế hoạch cải cách hành chính năm 2026
CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH
Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;
Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch cải cách hành chính năm 2026.
Điều 2. Quyết định này có hiệu lực kể từ ngày ký.
CHỦ TỊCH
Nguyễn Văn A
"""


# --------------------------------------------------------------------------- PDF pages full of rules (issue 14)


def _rules_ops(kind: str, n: int, seed: int) -> bytes:
    """Drawing operators: `n` short rule-like segments scattered over the page ("noise"), or a grid
    of `n` horizontal and `n` vertical rules across it ("grid")."""
    r = random.Random(seed)
    ops = [b"0.5 w"]
    for i in range(n):
        if kind == "grid":
            y, x = 20 + i * 800 / n, 20 + i * 555 / n
            ops.append(b"20 %.2f m 575 %.2f l %.2f 20 m %.2f 820 l S" % (y, y, x, x))
        else:
            x, y, length = r.uniform(20, 560), r.uniform(20, 820), r.uniform(11, 200)
            ops.append(b"%.1f %.1f m %.1f %.1f l S" % ((x, y, x + length, y) if i % 2 else (x, y, x, y + length)))
    return b"\n".join(ops)


def ruled_pdf_bytes(pages: int, kind: str = "noise", n: int = 50_000) -> bytes:
    """A text PDF whose every page also draws rules: `kind` "noise" (n segments of 2 path points each,
    so 2n segments) or "grid" (n x n rules). Vietnamese text lines are on every page."""
    font, cmap, first = 3, 4, 5
    objects: dict[int, bytes] = {
        1: b"<< /Type /Catalog /Pages 2 0 R >>",
        font: (b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /FirstChar 32 /LastChar 255 "
               b"/Widths [" + b" ".join([b"500"] * 224) + b"] /ToUnicode 4 0 R >>"),
        cmap: _stream(_to_unicode_cmap()),
    }
    kids = []
    for i in range(pages):
        page, content = first + 2 * i, first + 2 * i + 1
        kids.append(f"{page} 0 R".encode())
        objects[page] = (b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
                         b"/Resources << /Font << /F1 3 0 R >> >> /Contents %d 0 R >>" % content)
        objects[content] = _stream(_page_content(PAGE_LINES) + b"\n" + _rules_ops(kind, n, seed=i))
    objects[2] = b"<< /Type /Pages /Count %d /Kids [" % pages + b" ".join(kids) + b"] >>"
    return _pdf(objects, 1)

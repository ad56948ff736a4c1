"""Signed PDFs built byte by byte, the way e-office systems issue documents.

`signed_pdf(path, lines, fields)` writes a one- or two-page A4 PDF whose text
layer is `lines` (text in a Type0 font with a ToUnicode map, as Word's PDFs
have), and an AcroForm with one signature field per `SigField`: a widget at
`rect` whose appearance stream (`/AP /N` -> `/FRM` -> `/n0`, `/n2`, the layout
of the VGCA and VNPT signing tools) draws `text`, and a signature dictionary
with `/M`, `/ByteRange` and a detached PKCS#7 in `/Contents` made with a fresh
certificate for `subject` (signed over the byte range, not verified by anyone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, pkcs7
from cryptography.x509.oid import NameOID

PAGE_W, PAGE_H = 595.0, 842.0
CONTENTS_HEX = 8192  # hex digits reserved for each /Contents
FONT_SIZE = 13.0
ADVANCE = 0.5  # em per character (the font's /DW)


@dataclass
class Line:
    """A line of the page's text layer: `x` and `y` (baseline) in points from the bottom left."""

    text: str
    x: float
    y: float
    page: int = 1
    font: str = "F1"  # or a legacy font: "VnTime" (TCVN3), "VnTimeH" (TCVN3 capitals), "VNI-Times"; text then in cp1252


@dataclass
class SigField:
    """A signature field: its widget's rectangle, what its appearance draws, who signed and when.

    `bbox_scale` draws the appearance in a form space that many times larger than
    the widget (the viewer scales it down onto the rectangle); `hidden` sets the
    widget's Hidden flag."""

    name: str
    rect: tuple[float, float, float, float]
    text: str = ""
    signed_at: str = "D:20251215101500+07'00'"
    subject: dict[str, str] = field(default_factory=lambda: {"CN": "VĂN PHÒNG ỦY BAN NHÂN DÂN TỈNH", "O": "ỦY BAN NHÂN DÂN TỈNH LÂM ĐỒNG"})
    page: int = 1
    bbox_scale: float = 1.0
    hidden: bool = False


def _utf16_hex(text: str) -> str:
    return "".join(f"{ord(ch):04X}" for ch in text)


def _to_unicode(chars: set[str]) -> bytes:
    entries = "\n".join(f"<{ord(c):04X}> <{ord(c):04X}>" for c in sorted(chars))
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(chars)} beginbfchar\n{entries}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def _certificate(subject: dict[str, str]):
    key = ec.generate_private_key(ec.SECP256R1())
    oids = {"CN": NameOID.COMMON_NAME, "O": NameOID.ORGANIZATION_NAME, "OU": NameOID.ORGANIZATIONAL_UNIT_NAME,
            "L": NameOID.LOCALITY_NAME, "C": NameOID.COUNTRY_NAME, "UID": NameOID.USER_ID}
    name = x509.Name([x509.NameAttribute(oids[k], v) for k, v in subject.items()])
    now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + dt.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return cert, key


class _Writer:
    def __init__(self) -> None:
        self.objects: list[bytes] = []

    def add(self, body: bytes | str) -> int:
        self.objects.append(body.encode() if isinstance(body, str) else body)
        return len(self.objects)

    def set(self, num: int, body: bytes | str) -> None:
        self.objects[num - 1] = body.encode() if isinstance(body, str) else body

    def stream(self, dictionary: str, data: bytes) -> int:
        return self.add(f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream")

    def serialize(self, root: int) -> bytes:
        out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for i, body in enumerate(self.objects, 1):
            offsets.append(len(out))
            out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
        xref = len(out)
        out += f"xref\n0 {len(self.objects) + 1}\n0000000000 65535 f \n".encode()
        for off in offsets:
            out += f"{off:010d} 00000 n \n".encode()
        out += f"trailer\n<< /Size {len(self.objects) + 1} /Root {root} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
        return bytes(out)


LEGACY_FONTS = {"VnTime": ".VnTime", "VnTimeH": ".VnTimeH", "VNI-Times": "VNI-Times"}


def _text_ops(text: str, x: float, y: float, font: str = "F1", size: float = FONT_SIZE) -> str:
    shown = _utf16_hex(text) if font == "F1" else text.encode("cp1252").hex().upper()
    name = "F1" if font == "F1" else font.replace("-", "")
    return f"BT /{name} {size:g} Tf 1 0 0 1 {x:g} {y:g} Tm <{shown}> Tj ET\n"


def _appearance(w: _Writer, f: SigField, font: int) -> int:
    """/AP /N: FRM -> n0 (a blank layer) and n2 (the text), as the signing tools lay it out."""
    width, height = f.rect[2] - f.rect[0], f.rect[3] - f.rect[1]
    s = f.bbox_scale
    inner_w, inner_h = width * s, height * s
    n2_ops = _text_ops(f.text, 0.5 * s, 4.5 * s, size=FONT_SIZE * s) if f.text else ""
    n0 = w.stream("/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 100 100]", b"% DSBlank\n")
    n2 = w.stream(
        f"/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 {inner_w:g} {inner_h:g}] /Resources << /Font << /F1 {font} 0 R >> >>",
        n2_ops.encode(),
    )
    frm = w.stream(
        f"/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 {inner_w:g} {inner_h:g}] /Resources << /XObject << /n0 {n0} 0 R /n2 {n2} 0 R >> >>",
        b"q 1 0 0 1 0 0 cm /n0 Do Q\nq 1 0 0 1 0 0 cm /n2 Do Q\n",
    )
    return w.stream(
        f"/Type /XObject /Subtype /Form /FormType 1 /BBox [0 0 {inner_w:g} {inner_h:g}] /Resources << /XObject << /FRM {frm} 0 R >> >>",
        b"q 1 0 0 1 0 0 cm /FRM Do Q\n",
    )


def signed_pdf(path: Path, lines: list[Line], fields: list[SigField], pages: int = 1) -> Path:
    """Write the PDF (see the module docstring) and return its path."""
    w = _Writer()
    chars = {ch for ln in lines if ln.font == "F1" for ch in ln.text} | {ch for f in fields for ch in f.text} | {" "}
    tounicode = w.stream("", _to_unicode(chars))
    descriptor = w.add("<< /Type /FontDescriptor /FontName /TimesNewRomanPSMT /Flags 34 /FontBBox [-568 -307 2000 1007] "
                       "/ItalicAngle 0 /Ascent 891 /Descent -216 /CapHeight 662 /StemV 80 >>")
    cid = w.add(f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /TimesNewRomanPSMT /CIDSystemInfo << /Registry (Adobe) "
                f"/Ordering (Identity) /Supplement 0 >> /FontDescriptor {descriptor} 0 R /DW {int(ADVANCE * 1000)} /CIDToGIDMap /Identity >>")
    font = w.add(f"<< /Type /Font /Subtype /Type0 /BaseFont /TimesNewRomanPSMT /Encoding /Identity-H "
                 f"/DescendantFonts [{cid} 0 R] /ToUnicode {tounicode} 0 R >>")
    widths = " ".join(["500"] * 224)
    legacy = {key: w.add(f"<< /Type /Font /Subtype /TrueType /BaseFont /{name} /Encoding /WinAnsiEncoding "
                         f"/FirstChar 32 /LastChar 255 /Widths [{widths}] /FontDescriptor {descriptor} 0 R >>")
              for key, name in LEGACY_FONTS.items()}
    fonts = f"/F1 {font} 0 R " + " ".join(f"/{key.replace('-', '')} {obj} 0 R" for key, obj in legacy.items())
    root = w.add("")  # the catalog, written last
    pages_obj = w.add("")
    page_objs = [w.add("") for _ in range(pages)]
    annots: dict[int, list[int]] = {}
    sig_values: list[tuple[int, SigField]] = []
    for f in fields:
        ap = _appearance(w, f, font)
        value = w.add("")  # the signature dictionary, filled once the byte ranges are known
        sig_values.append((value, f))
        flags = 132 | (2 if f.hidden else 0)
        widget = w.add(f"<< /Type /Annot /Subtype /Widget /FT /Sig /T ({f.name}) /F {flags} /Rect [{' '.join(f'{v:g}' for v in f.rect)}] "
                       f"/P {page_objs[f.page - 1]} 0 R /AP << /N {ap} 0 R >> /V {value} 0 R >>")
        annots.setdefault(f.page, []).append(widget)
    for n, obj in enumerate(page_objs, 1):
        ops = "".join(_text_ops(ln.text, ln.x, ln.y, ln.font) for ln in lines if ln.page == n)
        content = w.stream("", ops.encode())
        annot_refs = " ".join(f"{a} 0 R" for a in annots.get(n, []))
        w.set(obj, f"<< /Type /Page /Parent {pages_obj} 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
                   f"/Resources << /Font << {fonts} >> >> /Contents {content} 0 R /Annots [{annot_refs}] >>")
    w.set(pages_obj, f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_objs)}] /Count {pages} >>")
    fields_refs = " ".join(f"{v + 1} 0 R" for v, _ in sig_values)  # each widget follows its value
    w.set(root, f"<< /Type /Catalog /Pages {pages_obj} 0 R /AcroForm << /Fields [{fields_refs}] /SigFlags 3 >> >>")
    placeholder = "0" * CONTENTS_HEX
    for value, f in sig_values:
        w.set(value, f"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /adbe.pkcs7.detached /M ({f.signed_at}) "
                     f"/ByteRange [0000000000 0000000000 0000000000 0000000000] /Contents <{placeholder}> >>")
    data = bytearray(w.serialize(root))
    for value, f in sig_values:
        _sign(data, value, f)
    path.write_bytes(bytes(data))
    return path


def _sign(data: bytearray, value: int, f: SigField) -> None:
    """Fill the /ByteRange and /Contents of signature dictionary `value` in place."""
    start = data.index(f"\n{value} 0 obj\n".encode())
    contents = data.index(b"/Contents <", start) + len(b"/Contents ")
    end = contents + CONTENTS_HEX + 2
    ranges = f"[{0:010d} {contents:010d} {end:010d} {len(data) - end:010d}]".encode()
    br = data.index(b"/ByteRange [", start) + len(b"/ByteRange ")
    data[br : br + len(ranges)] = ranges
    cert, key = _certificate(f.subject)
    signed = bytes(data[:contents]) + bytes(data[end:])
    der = (
        pkcs7.PKCS7SignatureBuilder().set_data(signed).add_signer(cert, key, hashes.SHA256())
        .sign(Encoding.DER, [pkcs7.PKCS7Options.DetachedSignature, pkcs7.PKCS7Options.Binary])
    )
    hexed = der.hex().upper().ljust(CONTENTS_HEX, "0").encode()
    data[contents + 1 : end - 1] = hexed

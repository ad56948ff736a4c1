"""Digital signatures of a PDF: who signed, when, and what their widgets stamp on the page.

The e-office systems of Vietnamese agencies issue a document by signing it twice
or more: the person who signs (a certificate in their name), then the clerk's
issuing signature (a certificate of the organisation). The clerk's signature
fields are often small widgets placed exactly over the blanks of the header,
"Số:    /TTr-SNV" and "ngày    tháng 3 năm 2025", and their appearance streams
(`/AP /N`, Form XObjects nested as `/FRM` -> `/n2`) draw the number and the day
as real text in a subset font with a ToUnicode map. A reader of the text layer
alone sees a blank and calls the document a draft; a reader of the page sees
"Số: 108/TTr-SNV".

This module reads, for every signature field (`/FT /Sig`) of the AcroForm:

- the widget: field name, page, rectangle;
- the text its appearance draws, character by character with boxes in page
  space (the appearance is interpreted by pdfminer, nested forms included, and
  mapped onto the widget's rectangle as PDF 32000 12.5.5 says: BBox through
  Matrix, then onto Rect);
- the signature dictionary: signing time `/M`, `/Name`, `/Reason`, `/Location`,
  `/ContactInfo`, `/SubFilter`, whether `/ByteRange` covers the whole file;
- the signer's certificate from the PKCS#7 / CAdES `/Contents`: the end-entity
  certificate's subject, split into a person's name (when CN is a name) and the
  organisation (OU, O). Personal identity numbers (UID "CMND:", "CCCD:") are
  left out of the recorded subject.

It does not verify signatures (no trust store at run time); `covers_file` only
says whether the signed byte range reaches the end of the file.

The PDF reader (`vanban.extract.pdf`) asks pdfium for the signature count first
(free), so unsigned PDFs never pay for this.

>>> iso_time("D:20250313112841+07'00'")
'2025-03-13T11:28:41+07:00'
>>> iso_time("D:20220323")
'2022-03-23T00:00:00'
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from vanban.model import Signature
from vanban.normalize.fold import nfc

#: A stamp is placed into the text only when it is this short (a number, a day, a symbol).
MAX_STAMP_CHARS = 24
#: Appearance text longer than this is cut in the recorded `Signature.text`.
MAX_TEXT = 500


@dataclass(slots=True)
class StampChar:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float  # PDF user space, bottom-left origin


@dataclass(slots=True)
class StampRun:
    """One line of text drawn by a widget, in PDF user space (bottom-left origin)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    signature: Signature | None = None

    @property
    def placeable(self) -> bool:
        """Short and with a digit: a number, a day, a symbol; not "Ký bởi: ..." captions."""
        return 0 < len(self.text) <= MAX_STAMP_CHARS and any(ch.isdigit() for ch in self.text)


@dataclass(slots=True)
class SignatureField:
    """A signature field with its widget's page, its stamped text runs and the signature."""

    signature: Signature
    page_index: int | None  # 0-based
    runs: list[StampRun] = field(default_factory=list)


# --------------------------------------------------------------------------- small parsers

_PDF_DATE = re.compile(
    r"^D?:?(?P<y>\d{4})(?P<mo>\d{2})?(?P<d>\d{2})?(?P<h>\d{2})?(?P<mi>\d{2})?(?P<s>\d{2})?"
    r"(?P<tz>[Zz]|[+-]\d{2}'?(?:\d{2}'?)?)?"
)


def iso_time(value: str | bytes | None) -> str | None:
    """A PDF date string ("D:20250313112841+07'00'") as ISO 8601, None when it is not one."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1", "replace")
    m = _PDF_DATE.match(value.strip())
    if not m:
        return None
    y, mo, d = m.group("y"), m.group("mo") or "01", m.group("d") or "01"
    h, mi, s = m.group("h") or "00", m.group("mi") or "00", m.group("s") or "00"
    if not (1 <= int(mo) <= 12 and 1 <= int(d) <= 31 and int(h) < 24 and int(mi) < 60 and int(s) < 61):
        return None
    out = f"{y}-{mo}-{d}T{h}:{mi}:{s}"
    tz = m.group("tz")
    if tz:
        if tz in "Zz":
            out += "+00:00"
        else:
            digits = re.sub(r"\D", "", tz[1:]) + "00"
            out += f"{tz[0]}{digits[:2]}:{digits[2:4]}"
    return out


def _text(value) -> str | None:
    """A PDF text string (bytes in PDFDocEncoding or UTF-16 with a BOM) as NFC text."""
    from pdfminer.psparser import PSLiteral
    from pdfminer.utils import decode_text

    if value is None:
        return None
    if isinstance(value, PSLiteral):
        value = value.name
    if isinstance(value, bytes):
        value = decode_text(value)
    text = nfc(str(value)).replace("\x00", "").strip()
    return text or None


# --------------------------------------------------------------------------- certificates

_PERSONAL_ID = re.compile(r"^(?:CMND|CCCD|HC|PASSPORT|CMT)\s*:", re.I)
_ORGAN_START = (
    "ỦY BAN", "UỶ BAN", "UBND", "SỞ ", "BỘ ", "BAN ", "VĂN PHÒNG", "HỘI ĐỒNG", "CHÍNH PHỦ", "CỤC ", "TỔNG CỤC",
    "CÔNG TY", "TRUNG TÂM", "TRƯỜNG", "BỆNH VIỆN", "THANH TRA", "KHO BẠC", "TỈNH ", "HUYỆN ", "XÃ ", "PHƯỜNG ",
)


def looks_like_person(name: str | None) -> bool:
    """A certificate CN that names a person ("Nguyễn Thị Bông"), not an organisation ("SỞ NỘI VỤ").

    >>> looks_like_person("Nguyễn Thị Bông"), looks_like_person("SỞ NỘI VỤ"), looks_like_person("Ủy ban Nhân dân tỉnh Bình Thuận")
    (True, False, False)
    """
    if not name:
        return False
    words = name.split()
    if not 2 <= len(words) <= 6 or any(ch.isdigit() for ch in name):
        return False
    if name.upper().startswith(_ORGAN_START) or name.isupper():
        return False
    return all(w[:1].isupper() for w in words)


def _subject_parts(cert) -> tuple[dict[str, str], str]:
    from cryptography.x509.oid import NameOID

    names = {
        NameOID.COMMON_NAME: "CN", NameOID.ORGANIZATIONAL_UNIT_NAME: "OU", NameOID.ORGANIZATION_NAME: "O",
        NameOID.LOCALITY_NAME: "L", NameOID.STATE_OR_PROVINCE_NAME: "ST", NameOID.COUNTRY_NAME: "C",
        NameOID.TITLE: "T", NameOID.USER_ID: "UID", NameOID.EMAIL_ADDRESS: "E",
    }
    parts: dict[str, str] = {}
    shown: list[str] = []
    for attr in cert.subject:
        key = names.get(attr.oid, attr.oid.dotted_string)
        value = nfc(str(attr.value))
        if key in ("UID", "2.5.4.5") and _PERSONAL_ID.match(value):
            continue  # a person's identity number: not needed to know who signed
        parts.setdefault(key, value)
        shown.append(f"{key}={value}")
    return parts, ", ".join(shown)


def _end_entity(certs: list):
    """The signer's certificate among those a PKCS#7 carries: one that issued no other."""
    from cryptography import x509

    issuers = {c.issuer for c in certs}
    leaves = [c for c in certs if c.subject not in issuers or len(certs) == 1]

    def is_ca(c) -> bool:
        try:
            return bool(c.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
        except x509.ExtensionNotFound:
            return False

    leaves = [c for c in leaves if not is_ca(c)] or leaves
    return leaves[0] if leaves else None


def read_certificate(contents: bytes | None, sig: Signature) -> None:
    """Fill the signer, organisation and certificate subject/issuer of `sig` from its `/Contents`."""
    if not contents:
        return
    from cryptography.hazmat.primitives.serialization import pkcs7

    data = contents.rstrip(b"\x00")
    try:
        certs = pkcs7.load_der_pkcs7_certificates(data)
    except Exception as exc:  # not PKCS#7 (adbe.x509.rsa_sha1 keeps the cert in /Cert), or malformed
        sig.notes.append(f"certificate not read ({type(exc).__name__})")
        return
    cert = _end_entity(list(certs))
    if cert is None:
        return
    parts, shown = _subject_parts(cert)
    sig.cert_subject = shown
    sig.cert_issuer = nfc(cert.issuer.rfc4514_string())
    cn = parts.get("CN")
    if looks_like_person(cn):
        sig.signer = cn
        org = [parts.get("OU"), parts.get("O")]
    else:
        org = [cn, parts.get("OU"), parts.get("O")]
    seen: list[str] = []
    for o in org:
        if o and o.casefold() not in (s.casefold() for s in seen):
            seen.append(o)
    sig.organisation = ", ".join(seen) or None


# --------------------------------------------------------------------------- appearance text


def _rect(value) -> tuple[float, float, float, float] | None:
    from pdfminer.pdftypes import resolve1

    try:
        x0, y0, x1, y1 = (float(resolve1(v)) for v in resolve1(value))
    except (TypeError, ValueError):
        return None
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


def _form_matrix(stream, rect: tuple[float, float, float, float]) -> tuple[float, ...]:
    """The matrix that maps the appearance's form space onto the widget's rectangle (PDF 12.5.5)."""
    from pdfminer.pdftypes import resolve1
    from pdfminer.utils import apply_matrix_pt, mult_matrix

    matrix = tuple(float(resolve1(v)) for v in (resolve1(stream.get("Matrix")) or (1, 0, 0, 1, 0, 0)))
    bbox = _rect(stream.get("BBox")) or (0.0, 0.0, rect[2] - rect[0], rect[3] - rect[1])
    corners = [apply_matrix_pt(matrix, (x, y)) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    bx0, by0 = min(p[0] for p in corners), min(p[1] for p in corners)
    bx1, by1 = max(p[0] for p in corners), max(p[1] for p in corners)
    sx = (rect[2] - rect[0]) / (bx1 - bx0) if bx1 > bx0 else 1.0
    sy = (rect[3] - rect[1]) / (by1 - by0) if by1 > by0 else 1.0
    fit = (sx, 0.0, 0.0, sy, rect[0] - bx0 * sx, rect[1] - by0 * sy)
    return mult_matrix(matrix, fit)


def appearance_chars(stream, rect: tuple[float, float, float, float], rsrcmgr) -> list[StampChar]:
    """The characters an appearance stream draws, with their boxes in page space."""
    from pdfminer.converter import PDFLayoutAnalyzer
    from pdfminer.layout import LTChar, LTContainer, LTPage
    from pdfminer.pdfinterp import PDFPageInterpreter
    from pdfminer.pdftypes import dict_value

    device = PDFLayoutAnalyzer(rsrcmgr)
    device.cur_item = LTPage(1, rect)
    interpreter = PDFPageInterpreter(rsrcmgr, device)
    resources = dict_value(stream.get("Resources")) if stream.get("Resources") else {}
    interpreter.render_contents(resources, [stream], ctm=_form_matrix(stream, rect))
    out: list[StampChar] = []

    def walk(item) -> None:
        for child in item:
            if isinstance(child, LTChar):
                out.append(StampChar(child.get_text(), child.x0, child.y0, child.x1, child.y1))
            elif isinstance(child, LTContainer):
                walk(child)

    walk(device.cur_item)
    return out


def runs_of(chars: list[StampChar]) -> list[StampRun]:
    """Characters grouped into lines (same baseline band), left to right, with spaces at gaps."""
    lines: list[list[StampChar]] = []
    for ch in sorted(chars, key=lambda c: (-round((c.y0 + c.y1) / 2), c.x0)):
        middle = (ch.y0 + ch.y1) / 2
        for line in lines:
            if line[0].y0 <= middle <= line[0].y1:
                line.append(ch)
                break
        else:
            lines.append([ch])
    runs = []
    for line in lines:
        line.sort(key=lambda c: c.x0)
        text = ""
        for prev, ch in zip([None, *line], line):
            if prev is not None and ch.x0 - prev.x1 > 0.25 * max(1.0, ch.y1 - ch.y0) and not text.endswith(" "):
                text += " "
            text += ch.text
        text = nfc(" ".join(text.split()))
        if text:
            runs.append(StampRun(text, min(c.x0 for c in line), min(c.y0 for c in line),
                                 max(c.x1 for c in line), max(c.y1 for c in line)))
    return runs


# --------------------------------------------------------------------------- the fields


def _fields(acroform) -> list[tuple[str, dict, dict | None]]:
    """(full field name, widget dict, field dict) for every widget of a signature field."""
    from pdfminer.pdftypes import resolve1

    out: list[tuple[str, dict, dict | None]] = []
    seen: set[int] = set()

    def walk(refs, parent_name: str, parent_ft, parent_value: dict | None) -> None:
        for ref in resolve1(refs) or []:
            objid = getattr(ref, "objid", None)
            if objid is not None:
                if objid in seen:
                    continue  # a cycle in a broken field tree
                seen.add(objid)
            node = resolve1(ref)
            if not isinstance(node, dict):
                continue
            name = _text(node.get("T"))
            full = ".".join(p for p in (parent_name, name) if p)
            ft = node.get("FT", parent_ft)
            value = node if "V" in node else parent_value
            kids = resolve1(node.get("Kids"))
            if kids:
                walk(kids, full, ft, value)
            if getattr(resolve1(ft), "name", None) == "Sig" and "Rect" in node:
                out.append((full or "(unnamed)", node, value))

    walk(acroform.get("Fields"), "", None, None)
    return out


def _page_index(widget: dict, ref_pages: dict[int, int], annots: dict[int, int], widget_id: int | None) -> int | None:
    p = widget.get("P")
    objid = getattr(p, "objid", None)
    if objid in ref_pages:
        return ref_pages[objid]
    return annots.get(widget_id) if widget_id is not None else None


def _signature_value(node: dict, file_size: int, sig: Signature):
    """Fill `sig` from the signature dictionary `/V`; the raw `/Contents`."""
    from pdfminer.pdftypes import resolve1

    v = resolve1(node.get("V"))
    if not isinstance(v, dict):
        return None
    sig.signed_at = iso_time(resolve1(v.get("M")))
    sig.name = _text(resolve1(v.get("Name")))
    sig.reason = _text(resolve1(v.get("Reason")))
    sig.location = _text(resolve1(v.get("Location")))
    sig.sub_filter = _text(resolve1(v.get("SubFilter")))
    byte_range = resolve1(v.get("ByteRange"))
    try:
        a, b, c, d = (int(resolve1(x)) for x in byte_range)
        sig.covers_file = c + d == file_size
    except (TypeError, ValueError):
        sig.covers_file = None
    contents = resolve1(v.get("Contents"))
    return contents if isinstance(contents, bytes) else None


def read_signature_fields(pdf_data: bytes) -> list[SignatureField]:
    """Every signature widget of the PDF: the signature, its page, its stamped text.

    Never raises for a malformed form: what cannot be read is left out, with a
    note on the signature when the field itself was found.
    """
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfinterp import PDFResourceManager
    from pdfminer.pdfpage import PDFPage
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    doc = PDFDocument(PDFParser(io.BytesIO(pdf_data)))
    acroform = resolve1(doc.catalog.get("AcroForm"))
    if not isinstance(acroform, dict):
        return []
    ref_pages: dict[int, int] = {}
    annots: dict[int, int] = {}
    for i, page in enumerate(PDFPage.create_pages(doc)):
        ref_pages[page.pageid] = i
        for a in resolve1(page.annots) or []:
            if getattr(a, "objid", None) is not None:
                annots[a.objid] = i
    rsrcmgr = PDFResourceManager(caching=True)
    out: list[SignatureField] = []
    for name, widget, value in _fields(acroform):
        rect = _rect(widget.get("Rect"))
        sig = Signature(field=name, rect=[round(x, 2) for x in rect] if rect else None)
        contents = _signature_value(value, len(pdf_data), sig) if value is not None else None
        if value is None:
            sig.notes.append("not signed (an empty signature field)")
        read_certificate(contents, sig)
        index = _page_index(widget, ref_pages, annots, getattr(widget, "objid", None))
        sig.page = index + 1 if index is not None else None
        runs: list[StampRun] = []
        ap = resolve1(widget.get("AP"))
        normal = resolve1(ap.get("N")) if isinstance(ap, dict) else None
        hidden = int(resolve1(widget.get("F")) or 0) & 2  # the Hidden flag
        if rect and normal is not None and hasattr(normal, "get_data") and not hidden and rect[2] > rect[0]:
            try:
                runs = runs_of(appearance_chars(normal, rect, rsrcmgr))
            except Exception as exc:  # a broken appearance must not lose the signature
                sig.notes.append(f"appearance not read ({type(exc).__name__})")
        for run in runs:
            run.signature = sig
        sig.text = " / ".join(r.text for r in runs)[:MAX_TEXT]
        out.append(SignatureField(sig, index, runs))
    return out


# --------------------------------------------------------------------------- placing stamps in the text


def _gap_index(segment: str, first: int, charbox, middle_x: float) -> int:
    """Where in `segment` (whose first character is text-page character `first`) a stamp
    centred at `middle_x` goes: after the last character whose centre is left of it."""
    at = 0
    for j, ch in enumerate(segment):
        if ch.isspace():
            continue
        left, _, right, _ = charbox(first + j)
        if (left + right) / 2 < middle_x:
            at = j + 1
        else:
            break
    return at


def splice_stamps(segment: str, first: int, box: tuple[float, float, float, float], top_edge: float,
                  charbox, stamps: list[StampRun]) -> str:
    """The line `segment` with the stamps that stand on it put where they stand.

    `box` is the line's (x0, top, x1, bottom) in points from the top-left; a stamp
    stands on the line when its middle is inside the line's height and it is
    within 40 points of the line's ends. Each placed stamp is removed from
    `stamps` and its signature's `placed` set to the resulting line.
    """
    x0, top, x1, bottom = box
    mine = []
    for run in stamps:
        middle_y = top_edge - (run.y0 + run.y1) / 2
        if top - 2 <= middle_y <= bottom + 2 and run.x0 < x1 + 40 and run.x1 > x0 - 40:
            mine.append(run)
    if not mine:
        return segment
    for run in sorted(mine, key=lambda r: -r.x0):  # right to left: earlier offsets stay valid
        k = _gap_index(segment, first, charbox, (run.x0 + run.x1) / 2)
        segment = f"{segment[:k].rstrip()} {run.text} {segment[k:].lstrip()}".strip()
        stamps.remove(run)
    line = " ".join(segment.split())
    for run in mine:
        if run.signature is not None:
            run.signature.placed = line
    return segment


# --------------------------------------------------------------------------- for the PDF reader


def signature_fields(doc, pdf_data: bytes, notes: list[str]) -> list[SignatureField]:
    """The signature fields (`vanban.extract.signatures`), read only when pdfium counts a signature."""
    import pypdfium2.raw as pdfium_c

    if pdfium_c.FPDF_GetSignatureCount(doc.raw) <= 0:
        return []
    try:
        return read_signature_fields(pdf_data)
    except Exception as exc:  # a malformed form: keep the text
        notes.append(f"signatures not read ({type(exc).__name__}: {exc})")
        return []


def stamps_by_page(fields: list[SignatureField]) -> dict[int, list[StampRun]]:
    """The short texts signature widgets draw (numbers, days), by 0-based page."""
    out: dict[int, list] = {}
    for f in fields:
        if f.page_index is not None:
            out.setdefault(f.page_index, []).extend(r for r in f.runs if r.placeable)
    return out

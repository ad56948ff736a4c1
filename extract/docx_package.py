"""A Word package opened safely, and the WordprocessingML names the Word reader uses.

The package is refused before anything is inflated when its members declare sizes
or ratios of a zip bomb; its XML parts are parsed without DTDs, network access or
entity resolution (`SAFE_PARSER`).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

from vanban.extract.base import ReadError

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
M_NS = "http://schemas.openxmlformats.org/officeDocument/2006/math"
MC_NS = "http://schemas.openxmlformats.org/markup-compatibility/2006"

#: A package is refused, before anything is inflated, when its members declare more than
#: these (a zip bomb: a few MB that inflate to GBs). Python's zipfile never inflates a member
#: past its declared size (it fails the CRC instead), so the declared sizes bound the memory.
#: The corpus's largest document.xml is 0.8 MB; the limits leave room for files 300 times that.
MAX_MEMBER_BYTES = 256 << 20
MAX_TOTAL_BYTES = 512 << 20
MAX_MEMBERS = 10_000
#: Deflate ratio above which a member larger than 1 MiB is refused: the corpus's Word XML
#: compresses 10-21x, a table of 4,000 identical rows 125x, a run of zeros 1,000x.
MAX_RATIO = 400

#: lxml parser for parts read here: no DTD, no network, no entities expanded.
SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_blank_text=False
)


def w(tag: str) -> str:
    """Clark name of a WordprocessingML tag: w("p") -> "{...main}p"."""
    return f"{{{W_NS}}}{tag}"


def _wattr(el: etree._Element | None, name: str = "val") -> str | None:
    return None if el is None else el.get(w(name))


def _on(el: etree._Element | None) -> bool | None:
    """A toggle property (w:b, w:caps, w:vanish): None when absent, else its value."""
    if el is None:
        return None
    return _wattr(el) not in ("0", "false", "off", "none")


# --------------------------------------------------------------------------- package


def open_package(path: Path):
    """The python-docx Document for `path`, or `ReadError` with a plain reason."""
    import docx  # python-docx

    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        data = path.read_bytes()
        if "EncryptionInfo".encode("utf-16-le") in data or "EncryptedPackage".encode("utf-16-le") in data:
            raise ReadError("the Word file is encrypted (password-protected); it cannot be read")
        raise ReadError("not a .docx: this is an old binary Word (.doc) file; rename it to .doc")
    if not zipfile.is_zipfile(path):
        raise ReadError("not a .docx: the file is not a zip package (corrupt or another format)")
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            check_sizes(infos)  # before testzip(), which inflates every member
            names = {i.filename for i in infos}
            bad = z.testzip()
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as e:
        raise ReadError(f"not a .docx: the zip package is damaged ({e})") from None
    if bad is not None:
        raise ReadError(f"the .docx is corrupt: member {bad!r} fails its checksum")
    if "word/document.xml" not in names and "[Content_Types].xml" not in names:
        raise ReadError("not a .docx: the zip holds no Word document")
    try:
        return docx.Document(str(path))
    except etree.XMLSyntaxError as e:
        if "amplification" in str(e).lower():
            raise ReadError("the .docx declares entities that expand without bound (a 'billion laughs'); "
                            "refused") from None
        if "depth" in str(e).lower():
            raise ReadError("the .docx nests its XML more than 256 levels deep (tables inside tables?); "
                            "refused rather than parsed without limits") from None
        raise ReadError(f"the .docx cannot be opened (XMLSyntaxError: {e})") from None
    except Exception as e:  # python-docx raises KeyError, ValueError, XMLSyntaxError, ...
        raise ReadError(f"the .docx cannot be opened ({type(e).__name__}: {e})") from None


def check_sizes(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse a zip bomb from the sizes the package declares, before anything is inflated.

    >>> big = zipfile.ZipInfo("word/document.xml"); big.file_size, big.compress_size = 2 << 30, 2 << 20
    >>> check_sizes([big])
    Traceback (most recent call last):
    ...
    vanban.extract.base.ReadError: refused: word/document.xml would inflate to 2048 MB (limit 256 MB per part); a zip bomb or an oversized document
    """
    if len(infos) > MAX_MEMBERS:
        raise ReadError(f"refused: the package holds {len(infos)} parts (limit {MAX_MEMBERS}); a zip bomb or not a Word file")
    total = 0
    for info in infos:
        size = info.file_size
        if size > MAX_MEMBER_BYTES:
            raise ReadError(f"refused: {info.filename} would inflate to {size >> 20} MB "
                            f"(limit {MAX_MEMBER_BYTES >> 20} MB per part); a zip bomb or an oversized document")
        if size > 1 << 20 and size > MAX_RATIO * max(info.compress_size, 1):
            raise ReadError(f"refused: {info.filename} would inflate {size // max(info.compress_size, 1)} times "
                            f"(to {size >> 20} MB; limit {MAX_RATIO} times); a zip bomb")
        total += size
    if total > MAX_TOTAL_BYTES:
        raise ReadError(f"refused: the package would inflate to {total >> 20} MB (limit {MAX_TOTAL_BYTES >> 20} MB); "
                        "a zip bomb or an oversized document")


def _related_xml(document, kind: str) -> etree._Element | None:
    """The root of the document part's related part of `kind` ("footnotes", "numbering", ...)."""
    for rel in document.part.rels.values():
        if rel.is_external or not rel.reltype.endswith("/" + kind):
            continue
        try:
            return etree.fromstring(rel.target_part.blob, SAFE_PARSER)
        except etree.XMLSyntaxError:
            return None
    return None

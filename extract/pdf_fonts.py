"""The fonts of a PDF's text layer: runs in legacy Vietnamese fonts (.VnTime: TCVN3, VNI-Times: VNI)
found through pdfium and decoded (`vanban.extract.legacy`) instead of being OCR'd.

`legacy_runs` asks pdfium for the font of a line's first and last characters (two calls a
line, on every page); only when one is a legacy font are the line's characters grouped into
(text, font) runs. `decode_legacy_lines` then decides, from the text of all such runs of the
page, which encoding to decode them with (the fonts' claim is checked against the text).
"""

from __future__ import annotations

import ctypes

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

_FONT_BUFFER = ctypes.create_string_buffer(256)


def _font_name(textpage: pdfium.PdfTextPage, index: int) -> str:
    flags = ctypes.c_int()
    n = pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, _FONT_BUFFER, len(_FONT_BUFFER), ctypes.byref(flags))
    return _FONT_BUFFER.value.decode("latin-1") if n else ""


def legacy_runs(textpage: pdfium.PdfTextPage, start: int, segment: str) -> list[tuple[str, str]] | None:
    """(text, font) runs of a line whose first or last character is in a legacy font (".VnTime",
    "VNI-Times"), for `legacy.decode_font_runs`; None for the other lines (two calls a line)."""
    from vanban.extract.legacy import font_encoding

    ends = (start + len(segment) - len(segment.lstrip()), start + len(segment.rstrip()) - 1)
    if not any(font_encoding(_font_name(textpage, i)) for i in ends):
        return None
    runs: list[tuple[str, str]] = []
    for j, ch in enumerate(segment):
        font = _font_name(textpage, start + j) if not ch.isspace() else (runs[-1][1] if runs else "")
        if runs and runs[-1][1] == font:
            runs[-1] = (runs[-1][0] + ch, font)
        else:
            runs.append((ch, font))
    return runs


def decode_legacy_lines(lines: list, clean=str.strip) -> str | None:
    """Decode in place the lines whose text is in legacy-font (TCVN3, VNI) runs; the encoding used.

    The fonts say which lines may be legacy; the text decides (`legacy.plan_font_runs`).
    `clean` tidies a decoded line as the reader tidies every line."""
    from vanban.extract.legacy import decode_font_runs, plan_font_runs

    candidates = [ln for ln in lines if ln.runs]
    if not candidates:
        return None
    plan = plan_font_runs([r for ln in candidates for r in ln.runs or []])
    if not plan:
        return None
    for ln in candidates:
        decoded = clean(decode_font_runs(ln.runs or [], plan))
        if decoded != ln.text:
            ln.raw, ln.text = ln.text, decoded
    return next(iter(plan.values()))

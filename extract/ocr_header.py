"""A scan's number and day, read a second time where they stand, digits only, at high resolution.

The number ("Số: 1716/QĐ-UBND") and the day ("ngày 16 tháng 10") of a scanned
decision are often handwritten or stamped, and a page-wide OCR misreads them
("1716" as "4⁄6", "4409" as "09"). A wrong number is worse than none: other
systems join on it. So, on the first OCR'd page that has them:

1. the line is OCR'd again on its own, with word boxes, to find where the number
   sits (from the end of "Số:" to the "/" that starts the rest of the symbol) and
   where the day sits (between "ngày" and "tháng");
2. that region alone is OCR'd twice: as text (with Tesseract's confidence) and
   with only the digits allowed (Tesseract gives no usable confidence then);
3. the value is accepted only when the two reads of the region give the same digits
   and either the line read agrees too, with the region's confidence at least
   `MIN_CONFIDENCE`, or the region's confidence is at least `SURE_CONFIDENCE`; a day
   must be 1-31.
   Otherwise it is unreadable: `None`, which the header parser turns into an
   empty value and a note, never a guess.

Reads are at `DPI` (300): at 600 dpi a printed "4409" was read "1409" with
confidence 82, as the LSTM model is trained on smaller glyphs. On the
handwritten 1716 scan the reads disagree ("4⁄6", "272", "446"): both values
stay empty.

`confirm_header_digits` returns {"number": "1716" | None, "day": "16" | None,
"number_how": ..., "day_how": ...} for what it checked; keys are absent when the
page has no such line.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
from dataclasses import dataclass

import pypdfium2 as pdfium

from vanban.extract.ocr import LANG, check_tesseract, image_bytes

DPI = 300
MIN_CONFIDENCE = 80.0
SURE_CONFIDENCE = 90.0
TIMEOUT = 30.0


@dataclass(slots=True)
class Word:
    text: str
    conf: float
    x0: float  # points
    x1: float


def read_words(page: pdfium.PdfPage, box: tuple[float, float, float, float], *, digits: bool = False,
               dpi: int = DPI) -> list[Word]:
    """The words Tesseract reads in `box` (x0, top, x1, bottom in points from the top left) as one line."""
    width, height = page.get_size()
    x0, top, x1, bottom = max(0.0, box[0]), max(0.0, box[1]), min(width, box[2]), min(height, box[3])
    if x1 - x0 < 2 or bottom - top < 2:
        return []
    scale = dpi / 72
    image = page.render(scale=scale, grayscale=True, crop=(x0, height - bottom, width - x1, top)).to_pil()
    args = [check_tesseract(LANG), "stdin", "stdout", "-l", LANG, "--psm", "7"]
    if digits:
        args += ["-c", "tessedit_char_whitelist=0123456789"]
    try:
        proc = subprocess.run(args + ["tsv"], input=image_bytes(image), capture_output=True, timeout=TIMEOUT, check=False,
                              env=dict(os.environ, OMP_THREAD_LIMIT="1"))
    except subprocess.TimeoutExpired:
        return []
    words = []
    for rec in csv.reader(io.StringIO(proc.stdout.decode("utf-8", "replace")), delimiter="\t", quoting=csv.QUOTE_NONE):
        if len(rec) > 11 and rec[0] == "5" and rec[11].strip():
            left, w = float(rec[6]) / scale, float(rec[8]) / scale
            words.append(Word(rec[11].strip(), float(rec[10]), x0 + left, x0 + left + w))
    return words


_NUMBER_WORD = re.compile(r"^S[ốôoóồ][:;.]?$", re.IGNORECASE)


def _region(words: list[Word], start: re.Pattern[str], end: re.Pattern[str]) -> tuple[float, float, str] | None:
    """(x0, x1, text read there): the whole stretch from the end of the word matching `start`
    to where `end` matches in a later word (ink the line read dropped is inside it too)."""
    for i, w in enumerate(words):
        if not start.match(w.text):
            continue
        between = []
        # a word box may run over the next words ("ngày" spanning "4 6tháng"): start where the next word starts
        begin = min(w.x1, words[i + 1].x0 - 1) if i + 1 < len(words) else w.x1
        for v in words[i + 1 :]:
            m = end.search(v.text)
            if m:
                # "1716/QĐ-UBND" in one word: the slash stands about where its share of the letters ends
                stop = v.x0 + (m.start() / len(v.text)) * (v.x1 - v.x0)
                between.append(v.text[: m.start()])
                if stop - begin < 3:
                    return None
                return begin + 1, stop - 1, "".join(between)
            between.append(v.text)
        return None
    return None


def _judge(page: pdfium.PdfPage, box: tuple[float, float, float, float], region, limit: int) -> tuple[str | None, str]:
    """The digits in the region when three reads agree: the line read, a read of the region
    alone (its confidence must be high), and a read of the region with only digits allowed."""
    x0, x1, first = region
    crop = (x0, box[1] + 1, x1, box[3] - 1)
    plain = read_words(page, crop)
    digits = "".join(w.text for w in read_words(page, crop, digits=True))
    plain_digits = re.sub(r"\D", "", "".join(w.text for w in plain))
    conf = min((w.conf for w in plain), default=0.0)
    first_digits = re.sub(r"\D", "", first)
    how = (f"line read {first!r}, region read {''.join(w.text for w in plain)!r} (confidence {conf:.0f}), "
           f"digits-only read {digits!r}, at {DPI} dpi")
    if not digits.isdigit() or len(digits) > 5 or not 0 < int(digits) <= limit:
        return None, how
    if digits == plain_digits and (conf >= SURE_CONFIDENCE or (conf >= MIN_CONFIDENCE and digits == first_digits)):
        return digits, how
    return None, how


# the slash before the type code ("/QĐ-UBND"), or the type code itself when OCR lost the slash ("01NQ-HĐQLQ")
_SYMBOL_REST = re.compile(r"/(?=[^\W\d_])|(?<=\d)(?=[A-ZĐ]{2,}-)")
_DAY_START = re.compile(r"^ng[àa]y$", re.IGNORECASE)
_DAY_END = re.compile(r"th[áa]ng", re.IGNORECASE)


def confirm_header_digits(page: pdfium.PdfPage, lines) -> dict[str, str | None]:
    """Read the number and the day of a scanned header again (see the module docstring).

    `lines` are the page's OCR lines (text and box in points)."""
    out: dict[str, str | None] = {}
    for line in lines[:25]:
        text = line.text
        box = (line.x0 - 4, line.top - 3, line.x1 + 4, line.bottom + 3)
        wants_number = "number" not in out and re.match(r"^\s*S[ốôoó]\s*[:;.]?", text) and "/" in text
        wants_day = "day" not in out and re.search(r"\bngày\b.*\btháng\b", text, re.IGNORECASE)
        if not (wants_number or wants_day):
            continue
        words = read_words(page, box)
        if wants_number and (region := _region(words, _NUMBER_WORD, _SYMBOL_REST)):
            out["number"], out["number_how"] = _judge(page, box, region, 99999)
        if wants_day and (region := _region(words, _DAY_START, _DAY_END)):
            out["day"], out["day_how"] = _judge(page, box, region, 31)
        if "number" in out and "day" in out:
            break
    return out

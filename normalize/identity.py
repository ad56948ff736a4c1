"""A document's identity from its digital signatures: who signed, when, and which
header values a signature widget stamped.

The PDF reader puts the number and the day that a clerk's signature widget
draws over the blanks of "Số:    /TTr-SNV" and "ngày    tháng 3" into the
header lines where they stand (`vanban.extract.signatures`); the header parser
then reads them like any other text. This module records where they came from
(`Decision.stamped`, a note) and the signatures' summary (`signed_at`,
`signer_cert`).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

#: A signing time written without an offset is read in Vietnam's time (UTC+7).
LOCAL = timezone(timedelta(hours=7))

from vanban.model import Decision, Signature, SourceDocument


def signing_time(sig: Signature) -> datetime | None:
    """The signing time as an aware datetime (UTC+7 when the file gives no offset)."""
    try:
        when = datetime.fromisoformat(sig.signed_at) if sig.signed_at else None
    except ValueError:
        return None
    return when.replace(tzinfo=LOCAL) if when is not None and when.tzinfo is None else when


def signing_order(signatures: list[Signature]) -> list[Signature]:
    """The signatures that carry a time, earliest first."""
    timed = [(w, i, s) for i, s in enumerate(signatures) if (w := signing_time(s)) is not None]
    return [s for _, _, s in sorted(timed)]


def apply_signatures(src: SourceDocument, dec: Decision) -> None:
    """Copy the signatures onto the decision with their summary: the last signing time, the signing person."""
    dec.signatures = list(src.signatures)
    ordered = signing_order(dec.signatures)
    if ordered:
        dec.signed_at = ordered[-1].signed_at
    people: list[str] = []
    for s in ordered or dec.signatures:
        if s.signer and s.signer not in people:
            people.append(s.signer)
    dec.signer_cert = "; ".join(people) or None


def _line_at(text: str, start: int) -> str:
    a = text.rfind("\n", 0, start) + 1
    b = text.find("\n", start)
    return text[a : b if b >= 0 else len(text)]


def _same_line(placed: str, line: str) -> bool:
    return " ".join(placed.split()) in " ".join(line.split()) or " ".join(line.split()) in " ".join(placed.split())


def mark_stamped(dec: Decision) -> None:
    """Say which header values a signature widget stamped (`dec.stamped` and a note)."""
    for sig in dec.signatures:
        if not sig.placed or not sig.text:
            continue
        stamp = sig.text.strip()
        if dec.number and dec.number_loc is not None and "number" not in dec.stamped:
            line = _line_at(dec.text, dec.number_loc.start)
            if _same_line(sig.placed, line) and re.match(rf"{re.escape(stamp)}\b", dec.number):
                dec.stamped["number"] = sig.field
                dec.notes.append(f"the number {dec.number}: {stamp!r} stamped by the signature field {sig.field} (page {sig.page})")
                continue
        if dec.date and dec.date_loc is not None and "date" not in dec.stamped:
            line = _line_at(dec.text, dec.date_loc.start)
            if _same_line(sig.placed, line) and re.search(rf"ngày\s+{re.escape(stamp)}\b", line, re.IGNORECASE):
                dec.stamped["date"] = sig.field
                dec.notes.append(f"the date {dec.date}: the day {stamp!r} stamped by the signature field {sig.field} (page {sig.page})")

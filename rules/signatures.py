"""Rules on a PDF's digital signatures: the date the document bears against the day it was signed.

An issued document's date is normally the day its last signature (the clerk's
issuing signature, which often stamps the number and the day) was made. A
document dated days before it was signed is common for a submission drafted
and dated before the head signed it, and is worth a look (info); a document
dated after its last signature bears a date that had not come when it was
signed (warning).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from vanban.model import Decision, Finding, Loc
from vanban.normalize.identity import signing_order, signing_time
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date


@rule("date_vs_signature", "self_reference_mismatch", "info", "the document's date differs from the day its last digital signature was made")
def date_vs_signature(dec: Decision) -> Iterator[Finding]:
    """Header "Bình Thuận, ngày 21 tháng 02 năm 2025"; the last signature (the clerk's, SỞ NỘI VỤ)
    made on 25/02/2025: the document was signed 4 days after the date it bears (info). Dated
    26/02/2025 and signed on 25/02/2025: dated after it was signed (warning)."""
    ordered = signing_order(dec.signatures)
    if not dec.date or not ordered or dec.date_loc is None:
        return
    last = ordered[-1]
    when = signing_time(last)
    try:
        written = date.fromisoformat(dec.date)
    except ValueError:
        return
    signed = when.date()  # the day in the signature's own offset: the signer's calendar day
    days = (written - signed).days
    if days == 0:
        return
    who = last.organisation or last.signer or last.field
    at = when.strftime("%H:%M")
    spans = [
        (dec.text[dec.date_loc.start : dec.date_loc.end] or dec.date, dec.date_loc),
        (f"{last.field}: {who}, {signed.isoformat()} {at}", Loc(page=last.page)),
    ]
    if days > 0:
        yield make_finding(
            dec, "date_vs_signature",
            f"Văn bản ghi ngày {vi_date(dec.date)}, sau ngày ký số cuối cùng ({vi_date(signed.isoformat())} lúc {at}, {who}): "
            f"ngày ghi trên văn bản chưa đến khi văn bản được ký.",
            f"The document is dated {vi_date(dec.date)}, {days} day{'s' if days > 1 else ''} after its last digital signature "
            f"({vi_date(signed.isoformat())} at {at}, {who}): it bears a date that had not come when it was signed.",
            spans, severity="warning",
        )
    else:
        yield make_finding(
            dec, "date_vs_signature",
            f"Văn bản ghi ngày {vi_date(dec.date)} nhưng được ký số lần cuối ngày {vi_date(signed.isoformat())} lúc {at} ({who}), "
            f"sau {-days} ngày.",
            f"The document is dated {vi_date(dec.date)} but its last digital signature was made on {vi_date(signed.isoformat())} "
            f"at {at} ({who}), {-days} day{'s' if -days > 1 else ''} later.",
            spans,
        )

"""Legal bases in force: a cited document the registry of documents in force (`vanban.registry`) knows was
replaced or repealed before the citing document's date, or was not yet in force on it.

Only what the registry knows is judged: a document it has never learned about stays unjudged (no finding),
and an amended document is not "replaced" (citing a law "được sửa đổi, bổ sung bởi ..." is normal)."""

from __future__ import annotations

from collections.abc import Iterator

from vanban.model import Citation, Decision, Finding
from vanban.normalize.relations import own_symbol
from vanban.rules.cited import signed_on
from vanban.rules.engine import make_finding, rule
from vanban.normalize.dates import vi_date

_VERB = {"replaced_by": ("được thay thế bởi", "replaced by"), "repealed_by": ("bị bãi bỏ (hết hiệu lực) theo", "repealed by")}


def _as_authority(dec: Decision, c: Citation, basis_lines: set[int | None]) -> bool:
    """A citation used as authority: in a "Căn cứ ..." line, or after "căn cứ" in the text. Not "theo quy định
    của ...": a transitional clause cites the old law on purpose ("đã cấp theo quy định của Luật Đất đai số
    45/2013/QH13")."""
    if c.loc.line in basis_lines:
        return True
    return "căn cứ" in dec.text[max(0, c.loc.start - 40):c.loc.start].lower()


def _citing_day(dec: Decision) -> str | None:
    return dec.date or signed_on(dec)


def _authorities(dec: Decision) -> Iterator[Citation]:
    seen: set[str] = set()
    own = own_symbol(dec)
    basis_lines = {b.loc.line for b in dec.legal_bases}
    for c in dec.citations:
        sym = c.symbol
        if not sym or sym == own or sym in seen or not c.normative or not _as_authority(dec, c, basis_lines):
            continue
        seen.add(sym)
        yield c


@rule("legal_basis_replaced", "invalid_reference", "warning", "a legal basis the registry knows was replaced or repealed before the document's date")
def legal_basis_replaced(dec: Decision) -> Iterator[Finding]:
    """"Căn cứ Luật Đất đai số 45/2013/QH13" in a decision of 2025: the registry learned from Luật Đất đai
    số 31/2024/QH15 ("Luật Đất đai số 45/2013/QH13 ... hết hiệu lực kể từ ngày Luật này có hiệu lực",
    01/01/2025) that it no longer applies; the finding names the successor and the sources."""
    day = _citing_day(dec)
    if not day:
        return
    from vanban.registry import current

    reg = current()
    own = own_symbol(dec)
    for c in _authorities(dec):
        ended = [f for f in reg.ended(c.symbol) if f.effective and f.effective <= day and f.value != own]
        if not ended:
            continue
        f = ended[0]
        vi_verb, en_verb = _VERB[f.property]
        srcs = "; ".join(sorted(set(f.sources))[:3])
        yield make_finding(
            dec,
            "legal_basis_replaced",
            f"{c.kind} số {c.symbol} đã hết hiệu lực từ ngày {vi_date(f.effective)}, {vi_verb} {f.value}, trước ngày "
            f"{vi_date(day)} của văn bản này: cần căn cứ {f.value} (nguồn: {srcs}; {f.confidence} văn bản).",
            f"{c.kind} {c.symbol} is no longer in force since {vi_date(f.effective)}, {en_verb} {f.value}, before this "
            f"document's date {vi_date(day)}: cite {f.value} instead (sources: {srcs}; {f.confidence} document(s)).",
            [(c.raw, c.loc)],
        )


@rule("legal_basis_not_yet_in_force", "invalid_reference", "info", "a legal basis that takes effect after the document's date")
def legal_basis_not_yet_in_force(dec: Decision) -> Iterator[Finding]:
    """"Căn cứ Luật ... số 203/2025/QH15" in a decision signed 20/12/2025 when the registry knows the law takes
    effect on 01/7/2026: citing it is allowed (to prepare its application), but worth a reviewer's look."""
    day = _citing_day(dec)
    if not day:
        return
    from vanban.registry import current

    reg = current()
    for c in _authorities(dec):
        eff = reg.value(c.symbol, "effective")
        if eff and eff > day:
            yield make_finding(
                dec,
                "legal_basis_not_yet_in_force",
                f"{c.kind} số {c.symbol} có hiệu lực từ ngày {vi_date(eff)}, sau ngày {vi_date(day)} của văn bản này.",
                f"{c.kind} {c.symbol} takes effect on {vi_date(eff)}, after this document's date {vi_date(day)}.",
                [(c.raw, c.loc)],
            )

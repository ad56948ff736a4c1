"""What the structure stage found in a document's paragraphs (`vanban.normalize.structure.parse_structure`).

`Structure` carries the values the stage reads (header, subject, legal bases, articles, signature,
recipients, attachments, parts, headings, plan year and period) under the names `Decision` gives
them, the paragraphs it read, and the notes it wrote. The header and signature readers fill one in;
`normalize()` copies it onto the Decision (`apply_to`). Each reader can be run on a `Structure` of
its own, without a Decision.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from vanban.model import Attachment, Decision, Heading, Loc, Signature, Signer, SourceDocument, TextValue
from vanban.normalize.lines import Para

#: The fields of `Decision` the structure stage sets, in the order it finds them.
FOUND_FIELDS = (
    "type", "number", "number_loc", "number_from", "date", "date_loc", "place", "issuer", "issuer_loc",
    "issuer_parent", "subject", "subject_loc", "legal_bases", "proposed_by", "articles", "annex_articles",
    "effective", "signer", "recipients", "attachments", "parts", "headings", "plan_year", "period",
)


@dataclass(slots=True)
class Structure:
    """A document's shape as its paragraphs give it; the inputs first (`text`, `ocr`, `signatures`)."""

    paras: list[Para]
    text: str = ""
    ocr: bool = False
    signatures: list[Signature] = field(default_factory=list)
    type: str | None = None
    number: str | None = None
    number_loc: Loc | None = None
    number_from: str | None = None
    date: str | None = None
    date_loc: Loc | None = None
    place: str | None = None
    issuer: str | None = None
    issuer_loc: Loc | None = None
    issuer_parent: str | None = None
    subject: str | None = None
    subject_loc: Loc | None = None
    legal_bases: list[TextValue] = field(default_factory=list)
    proposed_by: TextValue | None = None
    articles: list[Heading] = field(default_factory=list)
    annex_articles: list[Heading] = field(default_factory=list)
    effective: str | None = None
    signer: Signer | None = None
    recipients: list[TextValue] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    parts: list[tuple[str, int, int]] = field(default_factory=list)
    headings: list[Heading] = field(default_factory=list)
    plan_year: int | None = None
    period: tuple[int, int] | None = None
    notes: list[str] = field(default_factory=list)  # what this stage noted (a blank number, an unreadable day)

    @classmethod
    def of(cls, src: SourceDocument, paras: list[Para]) -> Structure:
        return cls(paras=paras, text=src.text, ocr=src.ocr, signatures=list(src.signatures))

    def apply_to(self, dec: Decision) -> None:
        """Set what was found on `dec`; its notes follow the Decision's own."""
        for name in FOUND_FIELDS:
            setattr(dec, name, getattr(self, name))
        dec.notes.extend(self.notes)

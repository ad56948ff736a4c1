"""The output tables, each defined once: its columns in order, and per column its type,
nullability, one line of description and what validation checks.

Everything about a table's shape is derived from here: the CSV header and the row
builders' columns (`outputs.tables`), the Arrow schema (`outputs.parquet`), the SQLite
table (`outputs.sqlite`), the JSON Schema of a row (`outputs.schema`; the findings' is
`vanban/schemas/finding.schema.json`), the Great Expectations suite (`outputs.validate`)
and the workbook's sheets (`outputs.excel`). Adding a column is one `Column(...)` here
(and the row builder that fills it).

The columns of DESIGN.md's output contract come first, in its order; those after them
are additions (the contract is a floor).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from vanban.model import CATEGORIES, DEADLINE_KINDS, SEVERITIES, SOURCE_KINDS
from vanban.normalize.citations.records import RECORD_COLUMNS
from vanban.normalize.relations import RELATIONS

#: the types a column can have: how it is stored in each format is derived from it
TYPES = ("text", "int", "float", "bool", "date", "datetime", "spans")
ISO_DATE = r"^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])$"
DOC_ID = r"^[0-9a-z_-]+$"
#: a document's status: processed, failed, or an input with the same name and bytes as an earlier one
STATUSES = ("ok", "error", "duplicate")


@dataclass(frozen=True)
class Column:
    """One column. `type`: text, int, float, bool, date (ISO `YYYY-MM-DD` text), datetime (ISO 8601
    text with its offset), spans (a list of evidence spans: JSON text in CSV-like stores).

    `nullable=False`: never null; for text also never empty, unless `blank`. `blank`: may be "" (a
    joined list with nothing in it; a registry's missing date). Validation checks what is declared:
    a value present (not for a blank column: a CSV cell cannot tell "" from null), `allowed`,
    `pattern` (a date's: ISO), `minimum`, `unique`."""

    name: str
    type: str
    description: str
    nullable: bool = True
    blank: bool = False
    allowed: tuple[str, ...] | None = None
    pattern: str | None = None
    minimum: int | None = None
    unique: bool = False

    def __post_init__(self) -> None:
        if self.type not in TYPES:
            raise ValueError(f"column {self.name}: unknown type {self.type!r}")

    @property
    def regex(self) -> str | None:
        """The pattern a value must match (an ISO date's, for a date)."""
        return self.pattern or (ISO_DATE if self.type == "date" else None)


@dataclass(frozen=True)
class Check:
    """A rule over several columns (or other tables) of a row, by name: `outputs.validate` runs it."""

    name: str
    columns: tuple[str, ...]
    description: str


@dataclass(frozen=True)
class Table:
    """One output table. `documents`: which documents its `doc_id` must name ("ok": processed
    ones, "any": any listed one; None for the documents table itself)."""

    name: str
    row: str  # one row per ...
    columns: tuple[Column, ...]
    documents: str | None = "ok"
    checks: tuple[Check, ...] = ()

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def C(name: str, type: str, description: str, **facts: Any) -> Column:
    return Column(name, type, description, **facts)


def _doc_id() -> Column:
    return C("doc_id", "text", "the document's id (documents.doc_id)", nullable=False, pattern=DOC_ID)


_LINE = C("line", "int", "1-based line in the document's normalized text (for text files, the file's line)", minimum=1)
_PAGE = C("page", "int", "1-based page of a PDF, where known", minimum=1)

DOCUMENTS = Table("documents", "input file", documents=None, columns=(
    C("doc_id", "text", "a slug of the file name and suffix, then _ and 32 hex digits (128 bits) of its SHA-256; "
      "a later input with the same name and digest gets -2, -3", nullable=False, pattern=DOC_ID, unique=True),
    C("source", "text", "the input file's path as given", nullable=False),
    C("sha256", "text", "SHA-256 of the file's bytes (none when it could not be read)", pattern=r"^[0-9a-f]{64}$"),
    C("status", "text", "ok (processed), error (failed: see error), duplicate (same name and bytes as duplicate_of)",
      nullable=False, allowed=STATUSES),
    C("error", "text", "why the document failed, when status is error"),
    C("type", "text", "the document type: Quyết định, Kế hoạch, Nghị định, ..."),
    C("number", "text", "the document's own symbol, canonical (3248/QĐ-UBND)"),
    C("date", "date", "the date of issue"),
    C("issuer", "text", "the issuing organ, as in the header"),
    C("subject", "text", "the subject line (trích yếu)"),
    C("plan_year", "int", "the year a plan is for"),
    C("format", "text", "how the file was read: text, docx, doc, pdf, html, ..."),
    C("pages", "int", "pages of a PDF"),
    C("ocr", "bool", "the text came from OCR"),
    C("encoding", "text", "the text's encoding when it was not Unicode or was decoded (utf-8, tcvn3, vni)"),
    C("number_from", "text", "where the number was read: header, caption, catalogue (a national database page's property table), or title (the title of a national database page holding an English translation)"),
    C("place", "text", "the place of the date line"),
    C("signer", "text", "the signer's name"),
    C("signer_title", "text", "the signer's title (Chủ tịch, Phó Chủ tịch)"),
    C("signer_authority", "text", "the signing authority: TM., KT., TL., TUQ., Q."),
    C("signed_at", "datetime", "when the last digital signature was made (ISO 8601 with its offset)"),
    C("signer_cert", "text", "the person whose certificate signed"),
    C("signatures", "int", "how many digital signatures the PDF carries"),
    C("issuer_parent", "text", "the organ above the issuer in the header"),
    C("stamped", "text", "fields a signature stamped: number=..., date=..., joined with '; '"),
    C("tasks", "int", "rows of tasks.csv for the document"),
    C("targets", "int", "rows of targets.csv for the document"),
    C("citations", "int", "rows of citations.csv for the document"),
    C("findings", "int", "lines of findings.jsonl for the document"),
    C("pipeline_version", "text", "the version of the pipeline that processed it", nullable=False),
    C("duplicate_of", "text", "the doc_id of the first input with the same name and bytes"),
    C("effective", "date", "the date it takes effect: its own clause, else the national database page"),
    C("effective_text", "text", "the words of its effect clause (kể từ ngày ký, ...)"),
    C("expires", "date", "the date it ceases to have effect, from the national database page"),
    C("force_status", "text", "the national database page's Tình trạng hiệu lực"),
    C("relations", "int", "rows of relations.csv for the document"),
    C("elapsed_ms", "int", "the milliseconds the document took when it was processed", minimum=0),
), checks=(
    Check("error_iff_failed", ("status", "error"), "error is given exactly when status is error"),
    Check("duplicate_iff_marked", ("status", "duplicate_of"),
          "duplicate_of names a listed document exactly when status is duplicate"),
))

TASKS = Table("tasks", "task x product", columns=(
    _doc_id(),
    C("section", "text", "the roman section (I, II, ...) the task is under"),
    C("section_title", "text", "the section's title"),
    C("task_no", "text", "the task's number (TT) as written"),
    C("task", "text", "the task (Nhiệm vụ)", nullable=False),
    C("product", "text", "the product (Sản phẩm)"),
    C("lead", "text", "the lead agency (Chủ trì) as written", nullable=False),
    C("lead_canonical", "text", "the lead agencies, canonical, joined with '; '"),
    C("partners", "text", "the partner agencies (Phối hợp) as written"),
    C("partners_canonical", "text", "the partner agencies, canonical, joined with '; '"),
    C("deadline", "text", "the deadline (Thời gian hoàn thành) as written"),
    C("deadline_start", "date", "the first day of the deadline's period"),
    C("deadline_end", "date", "the last day of the deadline's period"),
    C("recurrence", "text", "monthly, quarterly, yearly, ... for a recurring deadline"),
    C("monitor", "text", "the body that follows up, where the table has that column"),
    C("deadline_kind", "text", "how the deadline reads", allowed=DEADLINE_KINDS),
    C("source_kind", "text", "table (a row of a task table) or prose (an assignment in the text)", allowed=SOURCE_KINDS),
    _LINE,
    _PAGE,
    C("table", "int", "which task table of the document (0 the first; none for prose)"),
    C("row", "int", "1-based row of the document's tasks"),
    C("inherited", "text", "fields filled from the merged cell above, joined with '; '", blank=True),
    C("joined_rows", "int", "how many physical rows made this one (rows split by a page break)"),
    C("lead_invited", "bool", "a lead agency is invited (Mời): outside the issuer's authority"),
    C("extra", "text", "the table's columns not mapped, as a JSON object", blank=True),
    C("monitor_canonical", "text", "the monitoring bodies, canonical, joined with '; '"),
    C("deadline_reference", "text", "for a by_reference deadline, the documents cited, canonical, joined with '; '"),
), checks=(
    Check("deadline_order", ("deadline_start", "deadline_end"), "deadline_end is not before deadline_start"),
    Check("task_no_in_sequence", ("table", "section", "task_no", "line", "source_kind"),
          "TT numbers continue their section, or a numbering_gap finding (or OCR) explains the break"),
))

TARGETS = Table("targets", "target (Chỉ tiêu)", columns=(
    _doc_id(),
    C("area", "int", "the numbered area (0: the objectives, Mục tiêu)"),
    C("text", "text", "the target as written", nullable=False),
    C("value", "float", "its first figure", minimum=0),
    C("unit", "text", "the figure's unit: % for a percentage"),
    _LINE,
    C("area_title", "text", "the area's title"),
    C("percentages", "text", "every percentage in it, joined with ';'", blank=True),
    _PAGE,
))

_CITATION_FACTS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "id": ("text", "canonical: the symbol (107/2020/NĐ-CP, 39-NQ/TW) or, for a law cited by name, the name",
           {"nullable": False}),
    "kind": ("text", "the document type cited: Nghị định, Quyết định, Luật, ...", {"nullable": False}),
    "number": ("text", "the number part of the symbol", {}),
    "year": ("int", "the year of the symbol, or of the date", {}),
    "type_code": ("text", "the symbol's type code (NĐ, QĐ, NQ)", {}),
    "organ_code": ("text", "the symbol's organ code (CP, UBND, TW)", {}),
    "date": ("date", "the date written with the citation", {}),
    "raw": ("text", "the citation as written, from the type word to the date", {}),
    "line": ("int", _LINE.description, {"minimum": 1}),
    "page": ("int", _PAGE.description, {"minimum": 1}),
    "in_table": ("bool", "found in a table cell", {}),
    "date_raw": ("text", "the date as written", {}),
    "issuer": ("text", "the issuer as written (của Chính phủ)", {}),
    "issuer_implied": ("text", "the issuer the organ code implies", {}),
    "normative": ("bool", "a year inside the symbol: a legal normative document", {}),
    "party": ("bool", "a Party document (39-NQ/TW)", {}),
    "part": ("text", "the part of the document it is in: decision, plan, appendix", {}),
    "start": ("int", "character offset of its start in the document's normalized text", {"minimum": 0}),
    "end": ("int", "character offset of its end (exclusive) there", {"minimum": 0}),
    "noise": ("text", "what was folded to read it (spaces, line_break, cyrillic, ...), joined with ';'", {"blank": True}),
    "registry_status": ("text", "how the registry knows the cited document (confirmed, conflict, learned, ...)", {}),
    "registry_date": ("date", "the cited document's date in the registry (\"\" when the registry has none)", {"blank": True}),
    "symbol": ("text", "the cited document's symbol: the id of a symbol, the registry's for a law cited by name", {}),
}
CITATIONS = Table("citations", "citation occurrence", columns=(
    _doc_id(),
    # one record builder (normalize/citations/records.py) for citations.csv and `vanban cite --json`
    *(C(name, t, d, **facts) for name in RECORD_COLUMNS for t, d, facts in [_CITATION_FACTS[name]]),
), checks=(
    Check("symbol_grammar", ("id", "number"), "an id with a number follows the canonical symbol grammar"),
))

RELATIONS_TABLE = Table("relations", "relation a document states", columns=(
    _doc_id(),
    C("doc", "text", "the stating document's symbol, or the document named as the subject before the verb"),
    C("relation", "text", "what doc does to the target", allowed=RELATIONS),
    C("target_id", "text", "the cited document's id", nullable=False),
    C("target_symbol", "text", "the cited document's symbol (the registry's for a law cited by name)"),
    C("target_kind", "text", "the cited document's type"),
    C("target_date", "date", "the cited document's date"),
    C("effective", "date", "the date the relation takes effect"),
    C("evidence", "text", "the sentence that states it", nullable=False),
    _LINE,
    _PAGE,
    C("doc_is_self", "bool", "doc is the stating document itself"),
))

FINDINGS = Table("findings", "finding", documents="any", columns=(
    _doc_id(),
    C("rule", "text", "the rule's id", nullable=False),
    C("category", "text", "the finding's category (DESIGN.md)", nullable=False, allowed=CATEGORIES),
    C("severity", "text", "error: contradicts itself or the law; warning: needs a reviewer; info: worth a look",
      nullable=False, allowed=SEVERITIES),
    C("message", "text", "in Vietnamese", nullable=False),
    C("message_en", "text", "in English", nullable=False),
    C("evidence", "spans", "where in the document: {text, line, page, part} spans", nullable=False),
    C("fingerprint", "text", "stable across runs: the review decisions are keyed by it", nullable=False,
      pattern=r"^[0-9a-f]{16,64}$", unique=True),
))

#: every table, in the order they are written; the first five are CSV files, findings is JSON Lines
TABLES: dict[str, Table] = {t.name: t for t in (DOCUMENTS, TASKS, TARGETS, CITATIONS, RELATIONS_TABLE, FINDINGS)}
CSV_TABLES = ("documents", "tasks", "targets", "citations", "relations")


def columns(table: str) -> list[str]:
    return TABLES[table].names

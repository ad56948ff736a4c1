"""The rules engine: a registry of rules, a configuration, and `check(decision)`.

A rule is a small function of a Decision (and, for corpus-wide rules, of the
other documents) that yields findings. It registers itself with `@rule(...)`,
which gives it an id, a category, a default severity and a one-line
description; the engine, `vanban rules` and the TOML configuration all read the
same registry, so adding a rule is adding one function in one file of `rules/`.
"""

from __future__ import annotations

import hashlib
import importlib
import tomllib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vanban.model import CATEGORIES, SEVERITIES, Decision, Evidence, Finding, Loc

_SEVERITY_ORDER = {s: i for i, s in enumerate(SEVERITIES)}

#: the modules of rules/ that hold rules; importing one registers its rules
RULE_MODULES: tuple[str, ...] = (
    "vanban.rules.references",
    "vanban.rules.cited",
    "vanban.rules.cited_forms",
    "vanban.rules.validity",
    "vanban.rules.in_force",
    "vanban.rules.bodies",
    "vanban.rules.task_checks",
    "vanban.rules.names",
    "vanban.rules.numbers",
    "vanban.rules.years",
    "vanban.rules.numbering",
    "vanban.rules.structure",
    "vanban.rules.content",
    "vanban.rules.typos",
    "vanban.rules.format_page",
    "vanban.rules.format",
    "vanban.rules.signatures",
)


@dataclass
class Context:
    """What a rule may know beyond its document: the other documents of the run."""

    decisions: Iterable[Decision] = field(default_factory=list)  # iterated once per index a rule builds
    _memo: dict[str, Any] = field(default_factory=dict, repr=False)

    def memo(self, key: str, build: Callable[[], Any]) -> Any:
        """A run-wide index built once, not once per document (which would cost the square of the run)."""
        if key not in self._memo:
            self._memo[key] = build()
        return self._memo[key]


@dataclass
class Rule:
    id: str
    category: str
    severity: str
    description: str
    func: Callable[..., Iterable[Finding]]
    corpus: bool = False  # needs the other documents (Context)
    translations: bool = False  # checks what a translation keeps of the document (its numbering): runs on one too

    @property
    def explanation(self) -> str:
        """The rule's docstring: what triggers it, in plain words, with an example."""
        return (self.func.__doc__ or self.description).strip()


REGISTRY: dict[str, Rule] = {}


def rule(id: str, category: str, severity: str, description: str, *, corpus: bool = False, translations: bool = False):
    """Register a rule function: `@rule("R001", "typo", "info", "...")`. A document whose source holds a
    translation (`Decision.translation`) is checked only by the rules with `translations` (and the corpus rules):
    its wording, header and signature are the translator's, its numbering is still the document's."""
    if category not in CATEGORIES:
        raise ValueError(f"rule {id}: unknown category {category!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: unknown severity {severity!r}")

    def wrap(func: Callable[..., Iterable[Finding]]):
        if id in REGISTRY and REGISTRY[id].func is not func:
            raise ValueError(f"rule id {id} registered twice")
        REGISTRY[id] = Rule(id, category, severity, description, func, corpus, translations)
        return func

    return wrap


def load_rules() -> dict[str, Rule]:
    for mod in RULE_MODULES:
        importlib.import_module(mod)
    return REGISTRY


@dataclass
class Config:
    """Which rules run and how severe their findings are (from a TOML file).

    ```toml
    [rules]
    disable = ["R0301"]
    [rules.severity]
    R0101 = "warning"
    ```
    """

    disabled: set[str] = field(default_factory=set)
    severity: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_toml(cls, path: str | Path) -> "Config":
        with open(path, "rb") as f:
            data = tomllib.load(f)
        rules = data.get("rules", {})
        cfg = cls(set(rules.get("disable", [])), dict(rules.get("severity", {})))
        known = load_rules()
        for rid in list(cfg.disabled) + list(cfg.severity):
            if rid not in known:
                raise ValueError(f"{path}: unknown rule id {rid!r}")
        for rid, sev in cfg.severity.items():
            if sev not in SEVERITIES:
                raise ValueError(f"{path}: rule {rid}: unknown severity {sev!r}")
        return cfg


def format_only(config: Config | None = None) -> Config:
    """`config` with every rule outside the `format` category disabled (`vanban check --format-only`)."""
    config = config or Config()
    others = {r.id for r in load_rules().values() if r.category != "format"}
    return Config(config.disabled | others, dict(config.severity))


def evidence(dec: Decision, text: str, loc: Loc | None) -> Evidence:
    """Evidence for a span of the document: its text, line, page and part."""
    if loc is None:
        return Evidence(text=text)
    return Evidence(text=text, line=loc.line, page=loc.page, part=loc.part or dec.part_of_line(loc.line), start=loc.start, end=loc.end)


def fingerprint(doc_id: str, rule_id: str, evidence: list[Evidence], key: str = "") -> str:
    """Stable across re-runs of an unchanged document: the rule, the evidence texts and lines."""
    h = hashlib.sha256()
    h.update(f"{doc_id}\x1f{rule_id}\x1f{key}".encode())
    for e in evidence:
        h.update(f"\x1e{e.text}\x1f{e.line}\x1f{e.page}".encode())
    return h.hexdigest()[:16]


def check(dec: Decision, context: Context | None = None, config: Config | None = None) -> list[Finding]:
    """All findings of a document, most severe first, then in document order."""
    config = config or Config()
    out: list[Finding] = []
    for r in load_rules().values():
        if r.id in config.disabled or (r.corpus and context is None):
            continue
        if dec.translation and not (r.corpus or r.translations):
            continue  # a translation's form and wording are the translator's, not the issuer's
        found: Iterator[Finding] = iter(r.func(dec, context) if r.corpus else r.func(dec))
        for f in found:
            f.rule = f.rule or r.id
            f.category = f.category or r.category
            f.severity = config.severity.get(r.id, f.severity or r.severity)
            f.doc_id = dec.doc_id
            if not f.fingerprint:
                f.fingerprint = fingerprint(dec.doc_id, f.rule, f.evidence)
            out.append(f)
    out = group_repeated(dec, out)
    out.sort(key=lambda f: (_SEVERITY_ORDER[f.severity], min((e.line or 0) for e in f.evidence) if f.evidence else 0, f.rule))
    return out


#: more findings than this of one rule in one document become one finding with all their evidence
GROUP_OVER = 3
#: the evidence a grouped finding keeps (the count in its message is the whole count)
GROUP_EVIDENCE_LIMIT = 60


def group_repeated(dec: Decision, findings: list[Finding]) -> list[Finding]:
    """One finding per rule for a rule that fires more than `GROUP_OVER` times in a document.

    A rule that fires many times in one document is usually describing the document's
    layout, not many errors; a reviewer decides on it once. The group keeps every piece of
    evidence (up to `GROUP_EVIDENCE_LIMIT`), the most severe severity of its members, the
    first member's message as its example, and the lines of all of them.
    """
    by_rule: dict[str, list[Finding]] = {}
    for f in findings:
        by_rule.setdefault(f.rule, []).append(f)
    out: list[Finding] = []
    for rule_id, found in by_rule.items():
        if len(found) <= GROUP_OVER:
            out.extend(found)
            continue
        found.sort(key=lambda f: min((e.line or 0) for e in f.evidence) if f.evidence else 0)
        ev: list[Evidence] = []
        seen: set[tuple[str, int | None, int | None]] = set()
        for f in found:
            for e in f.evidence:
                if (e.text, e.line, e.page) not in seen and len(ev) < GROUP_EVIDENCE_LIMIT:
                    seen.add((e.text, e.line, e.page))
                    ev.append(e)
        lines = sorted({e.line for f in found for e in f.evidence if e.line})
        where = ", ".join(map(str, lines[:30])) + (" …" if len(lines) > 30 else "")
        first = found[0]
        severity = min((f.severity for f in found), key=lambda s: _SEVERITY_ORDER[s])
        out.append(
            Finding(
                rule=rule_id,
                category=first.category,
                severity=severity,
                message=f"{len(found)} trường hợp cùng loại trong văn bản (dòng {where}). Ví dụ: {first.message}",
                message_en=f"{len(found)} occurrences of this kind in the document (lines {where}). For example: {first.message_en}",
                evidence=ev,
                fingerprint=fingerprint(dec.doc_id, rule_id, ev, key="group"),
                doc_id=dec.doc_id,
            )
        )
    return out


def make_finding(
    dec: Decision, rule_id: str, message: str, message_en: str, spans: list[tuple[str, Loc | None]], *, severity: str | None = None, key: str = ""
) -> Finding:
    """A finding of a registered rule with its evidence spans."""
    r = REGISTRY[rule_id]
    ev = [evidence(dec, text, loc) for text, loc in spans]
    return Finding(
        rule=rule_id,
        category=r.category,
        severity=severity or r.severity,
        message=message,
        message_en=message_en,
        evidence=ev,
        fingerprint=fingerprint(dec.doc_id, rule_id, ev, key),
        doc_id=dec.doc_id,
    )


def measured_precision() -> dict[str, dict[str, str]]:
    """Each rule's measured precision on the development corpus (`corpus/rule_precision.tsv`,
    written from the ledger of judged findings): {"check": "93% of 15", "tune": ...}."""
    from vanban.corpus import table as corpus_table

    out: dict[str, dict[str, str]] = {}
    for row in corpus_table("rule_precision.tsv"):
        out[row["rule"]] = {
            half: (f"{row[half + '_precision']} of {row[half + '_judged']}" if row[half + "_judged"] != "0" else "-")
            for half in ("check", "tune")
        }
    return out


def describe() -> list[dict[str, Any]]:
    """The registry as rows for `vanban rules`, with each rule's measured precision."""
    measured = measured_precision()
    return [
        {"id": r.id, "category": r.category, "severity": r.severity, "description": r.description, "corpus": r.corpus,
         "precision_check": measured.get(r.id, {}).get("check", "-"), "precision_tune": measured.get(r.id, {}).get("tune", "-")}
        for r in sorted(load_rules().values(), key=lambda r: r.id)
    ]

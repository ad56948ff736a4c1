"""Citations of other documents in a text: find them, read their parts, resolve them in the registry.

A citation is a cited document as written ("Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ")
read into a `vanban.model.Citation` with a canonical id ("107/2020/NĐ-CP"). The symbol grammar (facts §2.3)
is `vanban.normalize.symbols`; the type and organ codes (`vanban.normalize.codes`) and the registry of known
documents are data in `corpus/` (`doc_types.tsv`, `organ_codes.tsv`, `registry.tsv`).

The package is split by verb, as eyecite is: `patterns` (the words around a symbol), `text` (the text matched
in), `words` (reading the type word, date, issuer and title), `names` (documents cited by name), `find`
(`find_citations`), `resolve` (the registry), `records` (one record builder for `vanban cite --json` and
`citations.csv`).

>>> [c.id for c in find_citations("theo Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020")]
['107/2020/NĐ-CP', '108/2020/NĐ-CP']
>>> c = find_citations("Căn cứ Nghị quyết số 18-NQ/TW, ngày 25/10/2017 của Ban Chấp hành Trung ương Đảng")[0]
>>> c.id, c.kind, c.date, c.party, c.issuer
('18-NQ/TW', 'Nghị quyết', '2017-10-25', True, 'Ban Chấp hành Trung ương Đảng')
>>> c = find_citations("Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;")[0]
>>> c.id, c.kind, c.date, c.issuer_implied
('Luật Tổ chức chính quyền địa phương', 'Luật', '2015-06-19', 'Quốc hội')

Noise is folded for matching and reported in `Citation.noise`; `raw` keeps the text as written:

>>> c = find_citations("Nghị định 07/2025/NĐ-СР")[0]   # Cyrillic С and Р
>>> c.id, c.raw, c.noise
('07/2025/NĐ-CP', 'Nghị định 07/2025/NĐ-СР', ['cyrillic'])

Dates are day-first and never guessed: an impossible date keeps its `date_raw` and has no `date`.

>>> c = find_citations("Quyết định số 12/QĐ-UBND ngày 31/02/2020")[0]
>>> c.date, c.date_raw, c.year
(None, '31/02/2020', None)
"""

from __future__ import annotations

from vanban.normalize.citations.find import find_citations
from vanban.normalize.citations.records import RECORD_COLUMNS, citation_record, format_table
from vanban.normalize.citations.resolve import registry, resolve
from vanban.normalize.codes import doc_types, organ_codes

__all__ = [
    "find_citations",
    "resolve",
    "citation_record",
    "format_table",
    "doc_types",
    "organ_codes",
    "registry",
    "RECORD_COLUMNS",
]

"""The data files of `corpus/` are read by one loader, each against its declared header and column types.

The example rows the files carry are run by the tests of the stage that reads them:
doc_types.tsv and organ_codes.tsv in test_citations.py, deadline_vocab.tsv in test_deadlines.py,
typos.tsv in test_rules.py, agencies.tsv in test_agencies.py; registry.tsv is checked there too.
"""

from __future__ import annotations

import unicodedata

import pytest

from conftest import ROOT
from vanban.corpus import SCHEMAS, CorpusError, Schema, read_rows, table

DATA_FILES = sorted(p.name for p in (ROOT / "corpus").iterdir() if p.suffix in (".tsv", ".csv", ".toml"))


def test_every_data_file_is_declared():
    assert DATA_FILES == sorted(SCHEMAS)


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_data_file_loads_with_its_declared_columns(name):
    rows = table(name)
    assert rows, name
    for row in rows:
        assert tuple(row) == SCHEMAS[name].names
        assert all(unicodedata.is_normalized("NFC", v) and v == v.strip() for v in row.values())


@pytest.mark.parametrize("name", [n for n in DATA_FILES if "example" in SCHEMAS[n].names])
def test_every_example_column_is_filled(name):
    """An example row without its example cannot be run by the tests that read it."""
    empty = [row for row in table(name) if not row["example"]]
    assert not empty, empty[:3]


SCHEMA = Schema((("symbol", "text"), ("year", "int"), ("date", "date")))


def test_values_are_nfc_and_stripped_and_comments_skipped():
    text = "# a comment\nsymbol\tyear\tdate\n\n  Nghi\u0323 đi\u0323nh \t2020\t2020-09-14\n# another\n12/QĐ\t\t\n"
    rows = read_rows(text, "x.tsv", SCHEMA)
    assert rows == [
        {"symbol": "Nghị định", "year": "2020", "date": "2020-09-14"},
        {"symbol": "12/QĐ", "year": "", "date": ""},
    ]


def test_a_short_row_gets_empty_cells():
    assert read_rows("symbol\tyear\tdate\n12/QĐ\n", "x.tsv", SCHEMA) == [{"symbol": "12/QĐ", "year": "", "date": ""}]


@pytest.mark.parametrize(
    "text, message",
    [
        ("symbol\tdate\tyear\n", "x.tsv: header ['symbol', 'date', 'year'] is not the declared"),
        ("symbol\tyear\tdate\n1/QĐ\t20x0\t\n", "x.tsv, line 2: year = '20x0' is not a int"),
        ("# c\nsymbol\tyear\tdate\n1/QĐ\t2020\t2020-02-30\n", "x.tsv, line 3: date = '2020-02-30' is not a date"),
        ("symbol\tyear\tdate\n1/QĐ\t2020\t2020-02-03\textra\n", "x.tsv, line 2: 4 cells for 3 columns"),
        ("# only a comment\n", "x.tsv: no header line"),
    ],
)
def test_a_broken_file_is_named_with_its_line_and_reason(text, message):
    with pytest.raises(CorpusError) as err:
        read_rows(text, "x.tsv", SCHEMA)
    assert str(err.value).startswith(message)


def test_an_undeclared_file_is_refused():
    with pytest.raises(CorpusError, match="not a declared data file"):
        table("nothing.tsv")


def test_module_examples():
    import doctest

    import vanban.corpus

    result = doctest.testmod(vanban.corpus)
    assert result.attempted > 0 and result.failed == 0


@pytest.mark.parametrize("row", table("doc_kinds.tsv"), ids=lambda r: r["kind"])
def test_doc_kind_example_is_read(row):
    """A title kind's example is read as that kind's title line; a basis kind's word starts a new piece
    of a legal basis, and only those kinds do."""
    from vanban.normalize.lines import match_type_line
    from vanban.normalize.structure import _split_bases

    if row["title"] == "yes":
        tl = match_type_line(row["example"])
        assert tl is not None and tl.type == row["kind"].upper()
    else:
        assert row["example"].startswith(row["kind"])
    pieces = _split_bases(f"Luật Đất đai ngày 18 tháng 01 năm 2024; {row['kind']} số 12/2024")
    assert len(pieces) == (2 if row["basis"] == "yes" else 1)


@pytest.mark.parametrize("row", [r for r in table("organ_codes.tsv") if r["issuer_words"]], ids=lambda r: r["code"])
def test_issuer_words_name_their_organ(row):
    """Each written form of `issuer_words` is read by the rules as naming that organ code."""
    from vanban.rules.validity import issuer_family, known_organ_codes

    for words in row["issuer_words"].split("|"):
        assert issuer_family(f"của {words}") == row["code"], words
    assert row["code"] in known_organ_codes()

"""Tests of the citation extractor (`vanban.normalize.citations`): tables of written forms and the records
they must give, the seed decision's hand-checked citations, hand-checked corpus excerpts, the data files."""

from __future__ import annotations

import csv
import pathlib
import unicodedata

import pytest

from vanban.model import Citation
from vanban.normalize.citations import (
    RECORD_COLUMNS,
    citation_record,
    doc_types,
    find_citations,
    format_table,
    organ_codes,
    registry,
    resolve,
)

HERE = pathlib.Path(__file__).parent
ROOT = HERE.parent
SEED = ROOT / "corpus" / "samples" / "000_2460ae3cff98ef28.txt"
SEED_EXPECTED = HERE / "data" / "seed_expected" / "citations.csv"
CORPUS = HERE / "data" / "citations_corpus"


def _tsv(path: pathlib.Path) -> list[dict[str, str]]:
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


# --------------------------------------------------------------------------- written forms


def _case_id(row: dict[str, str]) -> str:
    return f"{row['src']}|{row['n']}|{row['text'][:40]}"


CASES = _tsv(HERE / "citation_cases.tsv")


def test_enough_cases():
    assert len(CASES) >= 80


@pytest.mark.parametrize("row", CASES, ids=[_case_id(r) for r in CASES])
def test_written_form(row):
    text = row["text"].replace("\\n", "\n").replace("\\t", "\t")
    found = find_citations(text)
    if row["id"] == "-":
        assert found == [], [c.id for c in found]
        return
    n = int(row["n"])
    assert len(found) > n, [c.id for c in found]
    c = found[n]
    got = {
        "id": c.id, "kind": c.kind, "number": c.number or "", "year": str(c.year or ""),
        "type": c.type_code or "", "organ": c.organ_code or "", "date": c.date or "",
    }
    want = {k: row[k] for k in got}
    assert got == want
    # raw is the text as written, at its offsets
    assert text[c.loc.start:c.loc.end] == c.raw
    assert c.loc.line == text.count("\n", 0, c.loc.start) + 1


# --------------------------------------------------------------------------- noise


@pytest.mark.parametrize(
    "text, noise",
    [
        ("Nghị định số 107/2020/NĐ-СР", "cyrillic"),
        ("Quyết định số 84/QÐ-UBND", "eth"),
        ("Quyết định số 3027/QĐUBND", "no_hyphen"),
        ("Quyết định số 15/QD-UBND", "no_diacritics"),
        ("Nghi dinh so 107/2020/ND-CP", "no_diacritics"),
        ("Thông tư số 19 / 2011 / TT-BTC", "spaces"),
        ("Chỉ thị số 13/CT-TTG", "case"),
        ("Nghị định số 113/2018/NĐ-CP ngày\n\n31/8/2018", "line_break"),
        ("Quyết định số 2764/QĐ\ufffeTTg", "dash"),
        ("Nghị quyết số 57/NQ/TW", "party_form"),
        ("Luật số 13/2003/QH 11", "spaces"),
        (unicodedata.normalize("NFD", "Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020"), "nfd"),
    ],
)
def test_noise_is_reported(text, noise):
    (c,) = find_citations(text)
    assert noise in c.noise
    assert c.raw == text  # kept as written


def test_nfd_offsets_point_into_the_original():
    text = unicodedata.normalize("NFD", "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ")
    (c,) = find_citations(text)
    assert c.id == "30/2020/NĐ-CP" and c.date == "2020-03-05" and c.issuer is not None
    assert text[c.loc.start:c.loc.end] == c.raw and c.raw.startswith(unicodedata.normalize("NFD", "Nghị"))


def test_offsets_hold_when_only_some_lines_are_decomposed():
    """A real decision has a few NFD lines (pasted from another editor) among many NFC ones: only those
    are normalized, and every citation's offsets, before and after them, still point into the original."""
    nfc = "Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ;\n"
    nfd = unicodedata.normalize("NFD", "Căn cứ Thông tư số 01/2011/TT-BNV ngày 19 tháng 01 năm 2011 của Bộ Nội vụ;\r\n")
    text = nfc * 3 + nfd + nfc + nfd
    cs = find_citations(text)
    assert [c.id for c in cs] == ["107/2020/NĐ-CP"] * 3 + ["01/2011/TT-BNV", "107/2020/NĐ-CP", "01/2011/TT-BNV"]
    for c in cs:
        assert text[c.loc.start:c.loc.end] == c.raw
    assert cs[3].date == "2011-01-19" and cs[4].loc.start == len(nfc) * 3 + len(nfd) + nfc.index("Nghị")


def test_offsets_hold_across_the_blocks_the_text_is_checked_in():
    """A long text is checked for NFC a block at a time: decomposed lines in the first block, in a middle
    one and as the very last line (no newline after it) all point back into the original, and the
    citations in the NFC blocks between them too."""
    from vanban.normalize.citations.text import BLOCK

    nfc = "Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ;\n"
    nfd = unicodedata.normalize("NFD", "Căn cứ Thông tư số 01/2011/TT-BNV ngày 19 tháng 01 năm 2011 của Bộ Nội vụ;\n")
    filler = nfc * (2 * BLOCK // len(nfc))
    text = nfd + filler + nfd + filler + nfd.rstrip("\n")
    cs = find_citations(text)
    assert len(cs) == 3 + 2 * (filler.count("\n"))
    assert [c.id for c in cs if c.id != "107/2020/NĐ-CP"] == ["01/2011/TT-BNV"] * 3
    for c in cs:
        assert text[c.loc.start:c.loc.end] == c.raw
        assert unicodedata.normalize("NFC", c.raw).startswith(("Nghị định số", "Thông tư số"))
    assert cs[-1].loc.end == len(text) - len(unicodedata.normalize("NFD", " của Bộ Nội vụ;"))


def test_nfd_noise_only_on_the_citations_written_decomposed():
    """A decomposed line marks its own citations "nfd", not those of the NFC lines around it, nor an NFC
    citation on the same line as a decomposed word."""
    nfc = "Căn cứ Nghị định số 107/2020/NĐ-CP ngày 14/9/2020 của Chính phủ;\n"
    nfd = unicodedata.normalize("NFD", "Căn cứ Thông tư số 01/2011/TT-BNV ngày 19/01/2011;\n")
    mixed = unicodedata.normalize("NFD", "Theo đề nghị của ") + "Sở Nội vụ tại Tờ trình số 12/TTr-SNV ngày 2/3/2021;\n"
    cs = find_citations(nfc + nfd + nfc + mixed + nfc)
    assert [(c.id, "nfd" in c.noise) for c in cs] == [
        ("107/2020/NĐ-CP", False), ("01/2011/TT-BNV", True), ("107/2020/NĐ-CP", False),
        ("12/TTr-SNV", False), ("107/2020/NĐ-CP", False)]


def test_squeeze_is_the_white_space_regex():
    """`squeeze` skips the regex only where it would change nothing: for every white space character."""
    from vanban.normalize.citations.patterns import SPACES, squeeze

    spaces = [chr(i) for i in range(0x110000) if chr(i).isspace()]
    for ch in spaces:
        for s in (f"a{ch}b", f"a {ch}b", f"{ch}", "ngày  14"):
            assert squeeze(s) == SPACES.sub(" ", s), repr(s)


def test_impossible_date_keeps_what_was_written():
    (c,) = find_citations("Quyết định số 12/QĐ-UBND ngày 31/02/2020")
    assert c.date is None and c.date_raw == "31/02/2020"


def test_list_shares_issuer_only_with_members_without_a_date():
    cs = find_citations("Nghị định số 107/2020/NĐ-CP, 108/2020/NĐ-CP ngày 14/9/2020 của Chính phủ;")
    assert [(c.id, c.date, c.issuer) for c in cs] == [
        ("107/2020/NĐ-CP", None, "Chính phủ"), ("108/2020/NĐ-CP", "2020-09-14", "Chính phủ")]
    cs = find_citations("các Nghị định số: 130/2005/NĐ-CP ngày 17/10/2005, 16/2015/NĐ-CP ngày 14/02/2015 của Chính phủ")
    assert [c.issuer for c in cs] == [None, "Chính phủ"]


def test_issuer_title_and_implied_issuer():
    (c,) = find_citations("Căn cứ Nghị định số 108/2014/NĐ-CP ngày 20/11/2014 của Chính phủ về chính sách tinh giản "
                          "biên chế;")
    assert (c.issuer, c.issuer_implied, c.title) == ("Chính phủ", "Chính phủ", "về chính sách tinh giản biên chế")
    assert c.normative and not c.party


def test_title_stops_at_the_next_citation():
    cs = find_citations("Nghị quyết số 10/NQ-CP ngày 03/02/2018 của Chính phủ ban hành chương trình hành động "
                        "thực hiện Nghị quyết số 18-NQ/TW về sắp xếp")
    assert cs[0].title == "ban hành chương trình hành động thực hiện"


def test_a_predicate_after_a_citation_is_not_its_title():
    """corpus-dev legacy/2003-A16 (a 1998 circular; judged false in the ledger): "thực hiện theo" after the
    issuer is what the sentence says of the goods, not the decree's subject; "thực hiện" with its object is one."""
    (c,) = find_citations("hàng hóa quy định tại khoản 3, Điều 2, Nghị định số 94/1998/NĐ-CP ngày 17/11/1998 của "
                          "Chính phủ thực hiện theo hướng dẫn riêng.")
    assert (c.issuer, c.title) == ("Chính phủ", None)
    (c,) = find_citations("Kế hoạch số 12/KH-UBND ngày 02/3/2021 thực hiện Nghị quyết của Tỉnh ủy")
    assert c.title == "thực hiện Nghị quyết của Tỉnh ủy"


# --------------------------------------------------------------------------- the seed decision


def _seed_rows() -> list[dict[str, str]]:
    with SEED_EXPECTED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _same(expected: dict[str, str], c: Citation) -> bool:
    if expected["id"] != c.id and not (
        c.number is None and (expected["id"] in c.id or c.id in expected["id"])
    ):
        return False
    return (expected["date"] or None) == c.date


# Lines where the extractor finds more than the expected CSV lists, on purpose:
# line 49 repeats "Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Thừa Thiên Huế lần thứ XVI" (cited on line 10);
# the CSV leaves it out, the extractor reports it. The CSV does not list that line, so it is not checked here.
DELIBERATE_EXTRAS = {49}


def test_seed_citations_line_by_line():
    text = SEED.read_text(encoding="utf-8")
    found: dict[int, list[Citation]] = {}
    for c in find_citations(text):
        found.setdefault(c.loc.line, []).append(c)
    expected: dict[int, list[dict[str, str]]] = {}
    for row in _seed_rows():
        expected.setdefault(int(row["line"]), []).append(row)
    problems = []
    for line, rows in expected.items():
        got = found.get(line, [])
        if len(got) != len(rows) or not all(_same(r, c) for r, c in zip(rows, got)):
            problems.append((line, [(r["id"], r["date"]) for r in rows], [(c.id, c.date) for c in got]))
    assert problems == []
    assert set(found) - set(expected) == DELIBERATE_EXTRAS


def test_seed_page_break_citation():
    text = SEED.read_text(encoding="utf-8")
    (c,) = [c for c in find_citations(text) if c.id == "113/2018/NĐ-CP"]
    assert c.loc.line == 165 and c.date == "2018-08-31" and "line_break" in c.noise


# --------------------------------------------------------------------------- corpus excerpts

CORPUS_EXPECTED = _tsv(CORPUS / "expected.tsv")


@pytest.mark.parametrize("name", sorted({r["file"] for r in CORPUS_EXPECTED}))
def test_corpus_excerpt(name):
    text = (CORPUS / f"{name}.txt").read_text(encoding="utf-8")
    got = [(c.loc.line, c.id, c.kind, c.date or "") for c in find_citations(text)]
    want = [(int(r["line"]), r["id"], r["kind"], r["date"]) for r in CORPUS_EXPECTED if r["file"] == name]
    assert got == want


def test_corpus_excerpts_keep_their_noise():
    nfd = (CORPUS / "luat131_2025_html_nfd.txt").read_text(encoding="utf-8")
    assert not unicodedata.is_normalized("NFC", nfd)
    assert "\u0421" in (CORPUS / "nd07_2025_html_cyrillic.txt").read_text(encoding="utf-8")


# --------------------------------------------------------------------------- data files


@pytest.mark.parametrize("row", doc_types(), ids=[f"{r['set']}:{r['kind']}:{r['code']}" for r in doc_types()])
def test_doc_type_example_is_read(row):
    cs = find_citations(row["example"])
    assert cs, row["example"]
    c = cs[0]
    assert c.kind == row["kind"]
    assert (c.type_code or "") == row["code"] or not row["code"] and c.number is None
    assert c.party == (row["set"] == "party")


@pytest.mark.parametrize("row", organ_codes(), ids=[r["code"] for r in organ_codes()])
def test_organ_code_example_is_read(row):
    cs = find_citations(row["example"])
    assert cs, row["example"]
    organs = (cs[0].organ_code or "").split("-")
    assert any(o == row["code"] or o.rstrip("0123456789") == row["code"] for o in organs)
    assert row["issuer_implied"] in (cs[0].issuer_implied or "")


def test_data_files_are_well_formed():
    assert {r["set"] for r in doc_types()} == {"vbqppl", "nd30", "pre2020", "pre2008", "party"}
    assert len({r["code"] for r in organ_codes()}) == len(organ_codes())
    for rows in (doc_types(), organ_codes()):
        assert all(r["example_source"] in ("real", "form") for r in rows)
    statuses = {"confirmed", "single_source", "memory", "conflict"}
    for r in registry():
        assert r["status"] in statuses, r
        assert r["date"] == "" or len(r["date"]) == 10
        assert r["year"], r
        assert r["source"], r
        assert unicodedata.is_normalized("NFC", r["symbol"])
        assert find_citations(r["symbol"])[0].id == r["symbol"], r["symbol"]


@pytest.mark.parametrize(
    "symbol, status",
    [("107/2020/NĐ-CP", "confirmed"), ("108/2020/NĐ-CP", "memory"), ("13/CT-TTg", None), ("39-NQ/TW", "conflict"),
     ("117/2013/NĐ-CP", "single_source")],
)
def test_registry_status_follows_facts(symbol, status):
    rows = [r for r in registry() if r["symbol"] == symbol]
    if status is None:
        assert {r["status"] for r in rows} == {"memory", "confirmed"}
    else:
        assert [r["status"] for r in rows] == [status]


# --------------------------------------------------------------------------- resolve


@pytest.mark.parametrize(
    "text, symbol, date",
    [
        ("Nghị định số 30/2020/NĐ-CP", "30/2020/NĐ-CP", "2020-03-05"),
        ("Chỉ thị số 13/CT-TTg ngày 02/5/2024", "13/CT-TTg", "2024-05-02"),
        ("Chỉ thị số 13/CT-TTg ngày 10/6/2015", "13/CT-TTg", "2015-06-10"),
        ("Nghị quyết số 18-NQ/TW ngày 25/10/2017", "18-NQ/TW", "2017-10-25"),
        ("Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015", "77/2015/QH13", "2015-06-19"),
        ("Nghị định số 9/2010/NĐ-CP", "09/2010/NĐ-CP", "2010-02-08"),
        ("Nghị định số 009/2010/NĐ-CP", "09/2010/NĐ-CP", "2010-02-08"),
    ],
)
def test_resolve(text, symbol, date):
    row = resolve(find_citations(text)[0])
    assert row is not None and row["symbol"] == symbol and row["date"] == date


@pytest.mark.parametrize("text", ["Chỉ thị số 13/CT-TTg", "Nghị quyết số 10/NQ-CP ngày 03/02/2020",
                                  "Luật ban hành văn bản quy phạm pháp luật", "Nghị định số 1/2099/NĐ-CP"])
def test_resolve_refuses_to_guess(text):
    assert resolve(find_citations(text)[0]) is None


@pytest.mark.parametrize(
    "text, symbol",
    [
        ("Căn cứ Luật Ban hành văn bản quy phạm pháp luật năm 2015;", "80/2015/QH13"),  # issue 16
        ("Căn cứ Luật tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;", "77/2015/QH13"),  # seed:8
        ("Luật Ban hành văn bản quy phạm pháp luật năm 2025", "64/2025/QH15"),
        ("theo quy định của Luật ban hành văn bản quy phạm pháp luật", None),  # 2008, 2015 or 2025: not guessed
        ("Nghị định số 30/2020/NĐ-CP", "30/2020/NĐ-CP"),
        ("Nghị quyết Đại hội đại biểu Đảng bộ tỉnh Thừa Thiên Huế lần thứ XVI", None),
    ],
)
def test_a_law_cited_by_name_gets_its_symbol_and_keeps_its_name(text, symbol):
    (c,) = find_citations(text)
    assert c.symbol == symbol
    assert c.id == c.symbol or c.number is None and c.id in c.raw  # the name as written stays the id


# --------------------------------------------------------------------------- records and table


def test_citation_record_offsets_point_into_the_text():
    text = "Dòng đầu\nTheo Quyết định số 3248/QĐ-UBND ngày 24/12/2020 của UBND tỉnh"
    (c,) = find_citations(text)
    r = citation_record(c)
    assert tuple(r) == RECORD_COLUMNS
    assert r["line"] == 2 and text[r["start"]:r["end"]] == c.raw == r["raw"]
    assert r["issuer"] == "UBND tỉnh" and r["issuer_implied"] == "Ủy ban nhân dân" and r["year"] == 2020


def test_cite_json_and_citations_csv_are_the_same_records(seed_out, tmp_path):
    """`vanban cite --json` on a document's text gives the rows `vanban run` writes to citations.csv, column
    for column (offsets in that text), but `part` (decision, plan, appendix), which only the run's reading of
    the document's structure knows."""
    import json

    from conftest import read_csv, run_cli

    rows = [r for r in read_csv(seed_out / "citations.csv")]
    (doc,) = (seed_out / "docs").glob("*.json")
    text = json.loads(doc.read_text(encoding="utf-8"))["text"]
    (tmp_path / "seed.txt").write_text(text, encoding="utf-8")
    out = run_cli("cite", "--file", str(tmp_path / "seed.txt"), "--json")
    records = [json.loads(line) for line in out.stdout.splitlines()]
    assert list(rows[0]) == ["doc_id", *RECORD_COLUMNS] and len(records) == len(rows) > 40

    def cell(v):
        return "" if v is None else ("true" if v is True else "false" if v is False else str(v))

    same = [k for k in RECORD_COLUMNS if k != "part"]
    assert [{k: cell(r[k]) for k in same} for r in records] == [{k: r[k] for k in same} for r in rows]
    assert {r["part"] for r in records} == {None} and {r["part"] for r in rows} >= {"decision", "plan"}
    assert all(text[r["start"]:r["end"]] == r["raw"] for r in records)


def test_format_table_aligns_columns():
    text = SEED.read_text(encoding="utf-8")
    table = format_table(find_citations(text))
    lines = table.splitlines()
    assert lines[0].split() == ["line", "id", "kind", "date", "issuer", "raw"]
    col = lines[0].index("id")
    assert all(ln[col - 2:col] == "  " for ln in lines[1:])
    assert "113/2018/NĐ-CP" in table and "\n\n" not in table


# --------------------------------------------------------------------------- the examples in the modules


@pytest.mark.parametrize("module", [
    "vanban.normalize.citations", "vanban.normalize.citations.find", "vanban.normalize.citations.resolve",
    "vanban.normalize.citations.records", "vanban.normalize.symbols", "vanban.normalize.codes",
])
def test_module_examples(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0


def test_vanban_cite_reads_every_form_of_issue_16(tmp_path):
    """`vanban cite --json` on the forms of issue 16 (the rows of citation_cases.tsv whose source says so, and the
    old forms of corpus-dev), one per line of a file: each gives the id the table expects."""
    import json

    from conftest import run_cli

    rows = [r for r in CASES if r["n"] == "0" and r["id"] != "-" and ("issue 16" in r["src"] or "corpus-dev" in r["src"])]
    assert len(rows) >= 14
    (tmp_path / "forms.txt").write_text("\n".join(r["text"] for r in rows) + "\n", encoding="utf-8")
    out = run_cli("cite", "--file", str(tmp_path / "forms.txt"), "--json")
    got = {}
    for line in out.stdout.splitlines():
        rec = json.loads(line)
        got.setdefault(rec["line"], rec)
    assert [got[i + 1]["id"] for i in range(len(rows))] == [r["id"] for r in rows]
    assert [got[i + 1]["date"] or "" for i in range(len(rows))] == [r["date"] for r in rows]

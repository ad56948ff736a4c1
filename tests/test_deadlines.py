"""Deadline cells of plan tables: a table of cells as written and their readings.

Rows come from the seed's expected task table, from the deadline columns of the
Lâm Đồng 2026 plans (copied here: the corpus is not part of the repository), from
the vocabulary of vn-format-facts §3.2, and from the spelling noise real cells carry.
"""

from __future__ import annotations

import csv
import datetime as dt
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vanban.model import DEADLINE_KINDS
from vanban.normalize.deadlines import (
    RECURRENCES,
    RULE_NAMES,
    deadline_vocabulary,
    explain_deadline,
    parse_deadline,
)

SEED_TASKS = Path(__file__).parent / "data" / "seed_expected" / "tasks.csv"
REAL_CELLS = Path(__file__).parent / "data" / "deadline_cells.tsv"

F, R, C, B, U = "fixed", "recurring", "continuous", "by_reference", "unparsed"
_ = None

# cell as written, plan year, start, end, recurrence, kind
ROWS: list[tuple[str, int | None, str | None, str | None, str, str]] = [
    # -- the seed's expected tasks.csv (every distinct deadline cell)
    ("Quý IV/2021", 2021, "2021-10-01", "2021-12-31", "", F),
    ("Năm 2021", 2021, "2021-01-01", "2021-12-31", "", F),
    ("Quý II/2021", 2021, "2021-04-01", "2021-06-30", "", F),
    ("Quý II, III/2021", 2021, "2021-04-01", "2021-09-30", "", F),
    ("Tháng 12/2021", 2021, "2021-12-01", "2021-12-31", "", F),
    ("Hàng tháng/quý trong năm 2021", 2021, "2021-01-01", "2021-12-31", "monthly/quarterly", R),
    ("Hàng tháng trong năm 2021", 2021, "2021-01-01", "2021-12-31", "monthly", R),
    # -- Kế hoạch CCHC 2026 tỉnh Lâm Đồng, column "Thời gian hoàn thành"
    ("Ban hành kế hoạch chậm nhất là ngày 15/01/2026 và tổ chức thực hiện", 2026, _, "2026-01-15", "", F),
    ("Ban hành kế hoạch chậm nhất là ngày 31/12/2025 và tổ chức mở lớp theo kế hoạch đề ra.", 2026,
     _, "2025-12-31", "", F),
    ("Ban hành kế hoạch trong tháng 01/2026 và tổ chức thực hiện", 2026, "2026-01-01", "2026-01-31", "", F),
    ("Ban hành kế hoạch trong tháng 01/2026 và tổ chức thực hiện.", 2026, "2026-01-01", "2026-01-31", "", F),
    ("Ban hành kế hoạch trong tháng 01/2026, tổ chức kiểm tra chậm nhất trong tháng 6/2026 và báo cáo kết quả "
     "khắc phục các tồn tại, hạn chế phát hiện qua kiểm tra chậm nhất trong tháng 8/2026", 2026,
     "2026-01-01", "2026-08-31", "", F),
    ("Báo cáo định kỳ theo thời gian quy định; thực hiện thường xuyên trong năm", 2026,
     "2026-01-01", "2026-12-31", "", C),
    ("Sau 03 tháng kể từ khi có văn bản của Trung ương hoặc Quyết định liên quan của cơ quan có thẩm quyền", 2026,
     _, _, "", B),
    ("Theo Kế hoạch rà soát, đánh giá thủ tục hành chính năm 2026 của tỉnh", 2026, _, _, "", B),
    ("Theo các mốc thời gian tại Phương án số 7178/PA-UBND ngày 14/11/2025 của UBND tỉnh", 2026, _, _, "", B),
    ("Theo các mốc thời gian tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh", 2026,
     _, _, "", B),
    ("Theo các mốc thời gian tại Quyết định số 1737/QĐ-UBND ngày 17/10/2025 của Chủ tịch UBND tỉnh", 2026,
     _, _, "", B),
    ("Theo hướng dẫn của Trung ương", 2026, _, _, "", B),
    ("Theo kế hoạch của tỉnh", 2026, _, _, "", B),
    ("Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ cơ sở dữ liệu quốc gia về pháp luật",
     2026, _, _, "", B),
    ("Thường xuyên trong năm", 2026, "2026-01-01", "2026-12-31", "", C),
    ("Thường xuyên trong tháng", 2026, "2026-01-01", "2026-12-31", "", C),
    ("Thực hiện thường xuyên khi có yêu cầu của bộ, ngành Trung ương.", 2026, _, _, "", B),
    ("Thực hiện thường xuyên trong năm", 2026, "2026-01-01", "2026-12-31", "", C),
    ("Triển khai thực hiện sáng kiến, mô hình, giải pháp và báo cáo kết quả thực hiện chậm nhất trong tháng 9/2026",
     2026, _, "2026-09-30", "", F),
    ("Trong năm 2026", 2026, "2026-01-01", "2026-12-31", "", F),
    ("Trước ngày 05 của tháng liền kề", 2026, "2026-01-01", "2026-12-31", "monthly", R),
    ("Trước ngày 31/01 năm liền kề", 2026, _, "2027-01-31", "yearly", R),  # each year, for the year before
    ("Định kỳ hằng tháng", 2026, "2026-01-01", "2026-12-31", "monthly", R),
    # -- Kế hoạch kiểm tra CCHC 2026, column "Thời gian kiểm tra"
    ("Tháng 3/2026", 2026, "2026-03-01", "2026-03-31", "", F),
    ("Tháng 6/2026", 2026, "2026-06-01", "2026-06-30", "", F),
    ("Tháng 9/2026", 2026, "2026-09-01", "2026-09-30", "", F),
    ("Từ tháng 3 đến tháng 9/2026", 2026, "2026-03-01", "2026-09-30", "", F),
    # -- Kế hoạch tuyên truyền CCHC 2026, column "Thời gian (Năm 2026)": the year is the plan's
    ("Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 23 tháng 1", 2026, "2026-01-23", "2026-01-23", "", F),
    ("Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 08 tháng 5", 2026, "2026-05-08", "2026-05-08", "", F),
    ("Từ 20 giờ 15 phút - 20 giờ 45 phút ngày 25 tháng 12", 2026, "2026-12-25", "2026-12-25", "", F),
    # -- Lâm Đồng body text
    ("chậm nhất là ngày 30/01/2026", 2026, _, "2026-01-30", "", F),
    ("trong quý I năm 2026", 2026, "2026-01-01", "2026-03-31", "", F),
    ("trước ngày 28/02/2026", 2026, _, "2026-02-28", "", F),
    # -- vocabulary of vn-format-facts §3.2 and the brief
    ("Quý 4/2021", 2021, "2021-10-01", "2021-12-31", "", F),
    ("quý II năm 2021", 2021, "2021-04-01", "2021-06-30", "", F),
    ("quý II, III/2026", 2026, "2026-04-01", "2026-09-30", "", F),
    ("Quý I/2021", None, "2021-01-01", "2021-03-31", "", F),
    ("Quý I và quý II năm 2021", None, "2021-01-01", "2021-06-30", "", F),
    ("Quý II", 2021, "2021-04-01", "2021-06-30", "", F),
    ("tháng 5–9/2026", None, "2026-05-01", "2026-09-30", "", F),
    ("tháng 12 năm 2021", None, "2021-12-01", "2021-12-31", "", F),
    ("Trong năm 2021", None, "2021-01-01", "2021-12-31", "", F),
    ("Cả năm", 2021, "2021-01-01", "2021-12-31", "", C),
    ("6 tháng đầu năm", 2021, "2021-01-01", "2021-06-30", "", F),
    ("6 tháng cuối năm", 2021, "2021-07-01", "2021-12-31", "", F),
    ("9 tháng đầu năm", 2021, "2021-01-01", "2021-09-30", "", F),
    ("6 tháng đầu năm 2022", 2021, "2022-01-01", "2022-06-30", "", F),
    ("Trước ngày 31/12/2020", 2021, _, "2020-12-31", "", F),
    ("chậm nhất là ngày 20 tháng 7 hàng năm", 2021, _, "2021-07-20", "yearly", R),
    ("trước 28/02 năm sau", 2021, _, "2022-02-28", "", F),
    ("Thường xuyên", 2021, "2021-01-01", "2021-12-31", "", C),
    ("Thường xuyên trong năm", 2021, "2021-01-01", "2021-12-31", "", C),
    ("Hàng tháng", 2021, "2021-01-01", "2021-12-31", "monthly", R),
    ("Hằng tháng", 2021, "2021-01-01", "2021-12-31", "monthly", R),
    ("Hằng quý", 2021, "2021-01-01", "2021-12-31", "quarterly", R),
    ("hàng quý", 2021, "2021-01-01", "2021-12-31", "quarterly", R),
    ("hàng năm", 2021, "2021-01-01", "2021-12-31", "yearly", R),
    ("hằng năm", 2021, "2021-01-01", "2021-12-31", "yearly", R),
    ("định kỳ 3 tháng/lần", 2021, "2021-01-01", "2021-12-31", "quarterly", R),
    ("định kỳ 6 tháng", 2021, "2021-01-01", "2021-12-31", "half-yearly", R),
    ("định kỳ 6 tháng, hằng năm", 2021, "2021-01-01", "2021-12-31", "half-yearly/yearly", R),
    ("Hàng tháng, hàng quý", 2021, "2021-01-01", "2021-12-31", "monthly/quarterly", R),
    ("giai đoạn 2021-2025", 2021, "2021-01-01", "2025-12-31", "", F),
    ("2021 - 2030", None, "2021-01-01", "2030-12-31", "", F),
    ("Giai đoạn 2021 – 2025", None, "2021-01-01", "2025-12-31", "", F),
    ("đến năm 2030, tầm nhìn đến năm 2045", None, _, "2030-12-31", "", F),
    ("Theo Kế hoạch số 12/KH-UBND ngày 05/01/2021 của UBND tỉnh", 2021, _, _, "", B),
    ("Khi có yêu cầu", 2021, _, _, "", B),
    ("Theo yêu cầu", 2021, _, _, "", B),
    ("Đột xuất", 2021, _, _, "", B),
    ("15/3/2026", None, "2026-03-15", "2026-03-15", "", F),
    ("ngày 15 tháng 3 năm 2026", None, "2026-03-15", "2026-03-15", "", F),
    ("Từ ngày 11 đến ngày 13/7/2007", None, "2007-07-11", "2007-07-13", "", F),
    ("trước tháng 6/2026", None, _, "2026-05-31", "", F),
    ("Hằng tuần", 2026, "2026-01-01", "2026-12-31", "weekly", R),
    ("Năm 2021, 2022", None, "2021-01-01", "2022-12-31", "", F),
    ("Quý I hằng năm", 2021, "2021-01-01", "2021-03-31", "yearly", R),
    ("từ 15/3/2026 đến 30/4/2026", None, "2026-03-15", "2026-04-30", "", F),
    ("tháng 11/2025 đến tháng 3/2026", None, "2025-11-01", "2026-03-31", "", F),
    ("Thực hiện theo Kế hoạch số 5/KH-UBND", 2021, _, _, "", B),
    ("Hoàn thành trong Quý III/2021", None, "2021-07-01", "2021-09-30", "", F),
    ("Đến hết ngày 30/6/2021", None, _, "2021-06-30", "", F),
    ("Tháng 10, 11 năm 2021", None, "2021-10-01", "2021-11-30", "", F),
    # -- case, spelling and spacing noise
    ("QUÝ IV/2021", 2021, "2021-10-01", "2021-12-31", "", F),
    ("quý iv/2021.", 2021, "2021-10-01", "2021-12-31", "", F),
    ("  Quý   II ,  III / 2021 ", 2021, "2021-04-01", "2021-09-30", "", F),
    (unicodedata.normalize("NFD", "Hằng tháng trong năm 2021"), None, "2021-01-01", "2021-12-31", "monthly", R),
    ("HÀNG THÁNG/QUÝ TRONG NĂM 2021", None, "2021-01-01", "2021-12-31", "monthly/quarterly", R),
    ("Quy IV/2021", None, "2021-10-01", "2021-12-31", "", F),
    ("Tháng 12/2021.", None, "2021-12-01", "2021-12-31", "", F),
    ("Năm\u00a02021", None, "2021-01-01", "2021-12-31", "", F),
    ("Thường xuyên.", 2021, "2021-01-01", "2021-12-31", "", C),
    # -- without a plan year: kind kept, no span; never a fixed deadline without dates
    ("Thường xuyên", None, _, _, "", C),
    ("Hàng năm", None, _, _, "yearly", R),
    ("Quý II", None, _, _, "", U),
    # -- not a deadline, or impossible
    ("", 2021, _, _, "", U),
    ("   ", 2021, _, _, "", U),
    ("Sở Nội vụ", 2021, _, _, "", U),
    ("31/02/2020", None, _, _, "", U),
    ("Quý V/2021", 2021, _, _, "", U),
    ("Tháng 13/2021", 2021, _, _, "", U),
]


@pytest.mark.parametrize(("text", "year", "start", "end", "recurrence", "kind"), ROWS,
                         ids=[f"{i:03d}-{r[0][:40]}" for i, r in enumerate(ROWS)])
def test_deadline_table(text: str, year: int | None, start: str | None, end: str | None,
                        recurrence: str, kind: str) -> None:
    d = parse_deadline(text, year)
    assert (d.start, d.end, d.recurrence, d.kind) == (start, end, recurrence, kind), d.note
    assert d.raw == text
    if kind in (U, B):
        assert d.note  # what it refers to, or why it could not be read


def test_table_is_big_enough() -> None:
    assert len(ROWS) >= 60


def test_by_reference_note_keeps_the_referenced_text() -> None:
    d = parse_deadline("Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ ")
    assert d.note == "Theo Điều 17 Nghị định số 52/2015/NĐ-CP ngày 28/5/2015 của Chính phủ"


def test_unparsed_and_impossible_notes() -> None:
    assert parse_deadline("Sở Nội vụ").note == "no deadline expression recognised"
    assert "does not exist" in parse_deadline("31/02/2020").note
    assert parse_deadline("Quý II").note == "quarter: plan year unknown"
    assert parse_deadline("Quý I, III/2021").note == "quarters I, III"
    assert parse_deadline("Thường xuyên", -5).note == "plan year unknown"  # an impossible plan year is ignored


def test_seed_expected_tasks() -> None:
    """Every row of the seed's expected tasks.csv: exact start, end and recurrence."""
    with SEED_TASKS.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["deadline"]]
    assert len(rows) >= 30
    for r in rows:
        d = parse_deadline(r["deadline"], 2021)
        assert (d.start or "", d.end or "", d.recurrence) == (
            r["deadline_start"], r["deadline_end"], r["recurrence"]), r["deadline"]


# ---------------------------------------------------------------- the vocabulary data file

VOCAB = deadline_vocabulary()


@pytest.mark.parametrize("row", VOCAB, ids=[f"{r['pattern']}-{r['example'][:40]}" for r in VOCAB])
def test_vocabulary_example(row: dict[str, str]) -> None:
    year = int(row["year"]) if row["year"] else None
    period = tuple(int(y) for y in row["period"].split("-")) if row["period"] else None
    d, rules = explain_deadline(row["example"], year, period)
    assert (d.start or "", d.end or "", d.recurrence, d.kind) == (
        row["start"], row["end"], row["recurrence"], row["kind"]), d.note
    assert row["pattern"] in rules


def test_vocabulary_covers_every_rule_and_is_well_formed() -> None:
    assert {r["pattern"] for r in VOCAB} == set(RULE_NAMES)
    for r in VOCAB:
        assert r["kind"] in DEADLINE_KINDS
        assert all(w in RECURRENCES for w in r["recurrence"].split("/") if w)
        for col in ("start", "end"):
            if r[col]:
                dt.date.fromisoformat(r[col])
        assert r["note"], r["example"]


def test_vocabulary_is_loaded_once() -> None:
    assert deadline_vocabulary() is deadline_vocabulary()


# ---------------------------------------------------------------- properties

_ROMAN = ["I", "II", "III", "IV"]


@settings(max_examples=500)
@given(st.text(), st.one_of(st.none(), st.integers(-10_000, 10_000)))
def test_never_raises(text: str, year: int | None) -> None:
    d = parse_deadline(text, year)
    assert d.kind in DEADLINE_KINDS
    assert not (d.note or "").startswith("internal error"), d.note
    for iso in (d.start, d.end):
        if iso is not None:
            dt.date.fromisoformat(iso)
    if d.start and d.end:
        assert d.start <= d.end


_WORDS = st.sampled_from(["Quý", "IV", "II,", "III/", "tháng", "năm", "hàng", "hằng", "định kỳ", "6", "3", "/lần",
                          "trước", "ngày", "31/12", "2021", "-", "–", "đến", "từ", "Thường xuyên", "theo",
                          "đầu", "cuối", "liền kề", "sau", "giai đoạn", "2025", "13", "0", "32/13/2020", "."])


@settings(max_examples=500)
@given(st.lists(_WORDS, max_size=8).map(" ".join), st.one_of(st.none(), st.integers(1900, 2100)))
def test_never_raises_on_vocabulary_soup(text: str, year: int | None) -> None:
    d = parse_deadline(text, year)
    assert d.kind in DEADLINE_KINDS
    assert not (d.note or "").startswith("internal error"), d.note
    if d.start and d.end:
        assert d.start <= d.end


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_a_date_round_trips(date: dt.date) -> None:
    for text in (f"{date.day}/{date.month}/{date.year}", f"{date:%d/%m/%Y}", date.isoformat()):
        d = parse_deadline(text)
        assert (d.start, d.end, d.kind) == (date.isoformat(), date.isoformat(), F)
        again = parse_deadline(d.end)  # the ISO rendering reads back the same
        assert (again.start, again.end) == (d.start, d.end)


@given(st.integers(1, 4), st.integers(1900, 2100), st.booleans())
def test_a_quarter_is_three_months(q: int, year: int, roman: bool) -> None:
    d = parse_deadline(f"Quý {_ROMAN[q - 1] if roman else q}/{year}")
    last = dt.date(year, 12, 31) if q == 4 else dt.date(year, 3 * q + 1, 1) - dt.timedelta(days=1)
    assert (d.start, d.end, d.kind) == (f"{year}-{3 * q - 2:02d}-01", last.isoformat(), F)


@given(st.integers(1, 12), st.integers(1900, 2100))
def test_a_month_round_trips(month: int, year: int) -> None:
    d = parse_deadline(f"Tháng {month}/{year}")
    assert d.start == f"{year}-{month:02d}-01"
    again = parse_deadline(f"tháng {int(d.start[5:7])} năm {d.start[:4]}")
    assert (again.start, again.end) == (d.start, d.end)


# ---------------------------------------------------------------- real cells of the corpora


def _real_cells() -> list[dict[str, str]]:
    lines = [ln for ln in REAL_CELLS.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


REAL = _real_cells()


@pytest.mark.parametrize("row", REAL, ids=[f"{i:02d}-{r['cell'][:40]}" for i, r in enumerate(REAL)])
def test_real_cell(row: dict[str, str]) -> None:
    """Deadline cells and phrases as real documents write them (tests/data/deadline_cells.tsv)."""
    year = int(row["year"]) if row["year"] else None
    period = tuple(int(y) for y in row["period"].split("-")) if row["period"] else None
    d = parse_deadline(row["cell"], year, period)
    assert (d.start or "", d.end or "", d.recurrence, d.kind) == (row["start"], row["end"], row["recurrence"], row["kind"]), d.note
    assert d.reference == row["reference"]
    if d.kind == "fixed":
        assert d.end  # never a fixed deadline without dates


def test_real_cells_are_enough_and_cover_the_forms() -> None:
    """At least 40 real cells, with a start, a yearly recurrence over a plan's period, "năm liền kề" and a
    reference that keeps its citation."""
    assert len(REAL) >= 40
    kinds = {r["kind"] for r in REAL}
    assert {"fixed", "start", "recurring", "continuous", "by_reference", "unparsed"} <= kinds
    assert any(r["period"] and "yearly" in r["recurrence"] for r in REAL)
    assert any("năm liền kề" in r["cell"] and r["recurrence"] == "yearly" for r in REAL)
    assert any(r["reference"] for r in REAL)


def test_a_plan_period_spans_what_recurs_and_goes_on() -> None:
    for text, recurrence, kind in (("Hằng năm", "yearly", R), ("Định kỳ hằng năm", "yearly", R), ("Thường xuyên", "", C)):
        d = parse_deadline(text, period=(2026, 2030))
        assert (d.start, d.end, d.recurrence, d.kind) == ("2026-01-01", "2030-12-31", recurrence, kind)
    # the plan year, when there is one, is what the cell recurs in
    assert parse_deadline("Hằng năm", 2026, (2026, 2030)).end == "2026-12-31"
    # a day each year of the period: from the period's first day to the last occurrence
    for text, end in (("Hằng năm, trước ngày 15/12", "2030-12-15"), ("Trước ngày 31/01 năm liền kề", "2031-01-31")):
        d = parse_deadline(text, period=(2026, 2030))
        assert (d.start, d.end, d.recurrence, d.kind) == ("2026-01-01", end, "yearly", R)


def test_a_start_is_not_a_deadline_ending_that_year() -> None:
    d = parse_deadline("Bắt đầu thực hiện từ năm 2026")
    assert (d.start, d.end, d.kind) == ("2026-01-01", None, "start")
    d = parse_deadline("Từ năm 2026 đến năm 2030")
    assert (d.start, d.end, d.kind) == ("2026-01-01", "2030-12-31", "fixed")



# --------------------------------------------------------------------------- the key with offsets, fast and by letter

_SEED_TEXT = (Path(__file__).resolve().parent.parent / "corpus" / "samples" / "000_2460ae3cff98ef28.txt").read_text(encoding="utf-8")


@given(st.lists(st.sampled_from(list("aăâđeêioôơuưy AĐÊƠƯàáảãạằắẳẵặầấẩẫậÀÁ\t\n\u00a0\u2003-/.Σİ") + ["e\u0301", "ΣΑ"]),
                max_size=40).map("".join))
@settings(max_examples=300, deadline=None)
def test_the_key_with_offsets_is_the_same_whichever_way_it_is_made(text):
    """The whole-text key (one `strip_diacritics` and one `lower` over the text, then its runs of white
    space) is the per-letter key, offsets included, and falls back to it where a letter folds to two."""
    from vanban.normalize.deadlines import _key_with_offsets, _key_with_offsets_by_letter

    assert _key_with_offsets(text) == _key_with_offsets_by_letter(text)


def test_the_key_with_offsets_on_a_real_decision():
    from vanban.normalize.deadlines import _key_with_offsets, _key_with_offsets_by_letter

    for line in _SEED_TEXT.splitlines():
        key, where = _key_with_offsets(line)
        assert (key, where) == _key_with_offsets_by_letter(line)
        assert len(key) == len(where) and all(line[w].isspace() or key[k] != " " for k, w in enumerate(where))

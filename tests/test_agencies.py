"""Agency splitting and naming: cells as written -> (canonical, is_group, invited), and the gazetteer's own checks."""

from __future__ import annotations

import csv
import unicodedata
from pathlib import Path

import pytest

from vanban.normalize.agencies import (
    KINDS,
    LEVELS,
    _name_key,
    agency_key,
    canonical_name,
    gazetteer,
    name_variants,
    split_agencies,
)

SEED_TASKS = Path(__file__).parent / "data" / "seed_expected" / "tasks.csv"


def B(canonical: str) -> tuple[str, bool, bool]:
    """A body."""
    return (canonical, False, False)


def G(canonical: str) -> tuple[str, bool, bool]:
    """A collective group."""
    return (canonical, True, False)


def I(canonical: str) -> tuple[str, bool, bool]:  # noqa: E743
    """A body written with "Mời": invited."""
    return (canonical, False, True)


TTTT, KHCN, VP = "Sở Thông tin và Truyền thông", "Sở Khoa học và Công nghệ", "Văn phòng UBND tỉnh"
SBN_TINH, UBND_CAC_CAP = "Các sở, ban, ngành cấp tỉnh", "UBND các cấp"
HUYEN, XA = "UBND cấp huyện", "UBND cấp xã"

# Every distinct lead and partners cell of the seed's expected tasks.csv (Thừa Thiên Huế, 2021).
SEED_CELLS = [
    ("Sở Tư pháp", [B("Sở Tư pháp")]),
    ("Văn phòng UBND tỉnh", [B(VP)]),
    ("VP UBND tỉnh", [B(VP)]),
    ("Sở Nội vụ", [B("Sở Nội vụ")]),
    ("Sở Tài chính", [B("Sở Tài chính")]),
    ("Sở TT&TT", [B(TTTT)]),
    ("Sở Khoa học và Công nghệ", [B(KHCN)]),
    ("Sở Kế hoạch và Đầu tư", [B("Sở Kế hoạch và Đầu tư")]),
    ("Đài Phát thanh - Truyền hình tỉnh", [B("Đài Phát thanh - Truyền hình tỉnh")]),
    ("Báo Thừa Thiên Huế", [B("Báo Thừa Thiên Huế")]),
    ("Cổng thông tin điện tử tỉnh", [B("Cổng thông tin điện tử tỉnh")]),
    ("Mời UBMTTQVN tỉnh", [I("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")]),
    ("Các sở, ban, ngành cấp tỉnh", [G(SBN_TINH)]),
    ("Các sở, ban, ngành cấp tỉnh, UBND các cấp", [G(SBN_TINH), G(UBND_CAC_CAP)]),
    ("Các sở, ban, ngành, UBND các cấp", [G("Các sở, ban, ngành"), G(UBND_CAC_CAP)]),
    ("Các sở, ban, ngành cấp tỉnh, UBND cấp huyện", [G(SBN_TINH), G(HUYEN)]),
    ("Các sở, ngành cấp tỉnh, UBND các cấp", [G("Các sở, ngành cấp tỉnh"), G(UBND_CAC_CAP)]),
    (
        "Các sở, ban, ngành tỉnh, UBND cấp huyện, các đơn vị sự nghiệp",
        [G(SBN_TINH), G(HUYEN), G("Các đơn vị sự nghiệp")],
    ),
    ("Các cơ quan liên quan", [G("Các cơ quan liên quan")]),
    ("Các cơ quan liên quan, UBND cấp huyện", [G("Các cơ quan liên quan"), G(HUYEN)]),
    ("Các cơ quan, đơn vị liên quan", [G("Các cơ quan, đơn vị liên quan")]),
    ("Sở Nội vụ, Sở KH&CN, Sở TTTT", [B("Sở Nội vụ"), B(KHCN), B(TTTT)]),
    # Choice: "UBND cấp huyện, xã" is two groups (the head is shared), not one "UBND cấp huyện, xã".
    ("Văn phòng UBND tỉnh, UBND cấp huyện, xã", [B(VP), G(HUYEN), G(XA)]),
    ("Các Sở: TT&TT, Nội vụ, VP UBND tỉnh", [B(TTTT), B("Sở Nội vụ"), B(VP)]),
    ("Các Sở: Nội vụ, Tư pháp, VP UBND tỉnh", [B("Sở Nội vụ"), B("Sở Tư pháp"), B(VP)]),
    (
        "Các Sở: TT&TT, Nội vụ, Tư pháp, VP UBND tỉnh và đơn vị, địa phương liên quan",
        [B(TTTT), B("Sở Nội vụ"), B("Sở Tư pháp"), B(VP), G("Các đơn vị, địa phương liên quan")],
    ),
    (
        "Đài PT&TH tỉnh, Sở TT&TT, Sở Nội vụ, Sở Tư pháp, Văn phòng UBND tỉnh",
        [B("Đài Phát thanh - Truyền hình tỉnh"), B(TTTT), B("Sở Nội vụ"), B("Sở Tư pháp"), B(VP)],
    ),
]

# Cells copied from the Lâm Đồng plans of 2025-2026 (Kế hoạch CCHC 2026, columns "Chủ trì thực hiện",
# "Phối hợp thực hiện", "Theo dõi, kiểm tra, đôn đốc"; Kế hoạch tuyên truyền CCHC 2026, "Trách nhiệm thực hiện").
LAM_DONG_CELLS = [
    ("Sở Tư pháp; UBND các xã, phường, đặc khu", [B("Sở Tư pháp"), G(XA)]),
    (
        "Sở Tư pháp; các cơ quan, đơn vị, địa phương",
        [B("Sở Tư pháp"), G("Các cơ quan, đơn vị, địa phương")],
    ),
    ("Các cơ quan, đơn vị, địa phương ", [G("Các cơ quan, đơn vị, địa phương")]),
    ("Các sở, ban, ngành", [G("Các sở, ban, ngành")]),
    ("Sở Tư pháp; Văn phòng UBND tỉnh", [B("Sở Tư pháp"), B(VP)]),
    ("Văn phòng UBND tỉnh; UBND các xã, phường, đặc khu", [B(VP), G(XA)]),
    ("Các sở, ban, ngành, địa phương", [G("Các sở, ban, ngành, địa phương")]),
    ("Các sở, ban, ngành và địa phương", [G("Các sở, ban, ngành, địa phương")]),
    ("Cơ quan, địa phương có liên quan", [G("Các cơ quan, địa phương liên quan")]),
    (
        "Các sở, ban, ngành, địa phương; Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh",
        [G("Các sở, ban, ngành, địa phương"), B("Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh")],
    ),
    ("Thanh tra tỉnh", [B("Thanh tra tỉnh")]),
    ("Sở Nội vụ; Văn phòng UBND tỉnh", [B("Sở Nội vụ"), B(VP)]),
    ("Các sở, ban, ngành; UBND các xã, phường, đặc khu", [G("Các sở, ban, ngành"), G(XA)]),
    ("UBND các xã, phường, đặc khu", [G(XA)]),
    ("Sở Tài chính; UBND các  xã, phường, đặc khu", [B("Sở Tài chính"), G(XA)]),
    ("Công an tỉnh", [B("Công an tỉnh")]),
    ("Sở Tư pháp, Văn phòng UBND tỉnh, Công an tỉnh", [B("Sở Tư pháp"), B(VP), B("Công an tỉnh")]),
    (
        "Văn phòng UBND tỉnh; Sở Tư pháp; Sở Tài chính; Sở Khoa học và Công nghệ; "
        "Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh.",
        [
            B(VP), B("Sở Tư pháp"), B("Sở Tài chính"), B(KHCN),
            B("Trung tâm Xúc tiến đầu tư, thương mại và du lịch tỉnh"),
        ],
    ),
    (
        "Văn phòng UBND tỉnh; Sở Tài nguyên và Môi trường; UBND các xã, phường, đặc khu",
        [B(VP), B("Sở Tài nguyên và Môi trường"), G(XA)],
    ),
    # Unknown collectives: one group each, never split at their internal commas.
    (
        "Các cơ quan, đơn vị trực tiếp sử dụng ngân sách nhà nước",
        [G("Các cơ quan, đơn vị trực tiếp sử dụng ngân sách nhà nước")],
    ),
    (
        "Các địa phương, các cơ quan có nguồn thu nộp ngân sách nhà nước",
        [G("Các địa phương, các cơ quan có nguồn thu nộp ngân sách nhà nước")],
    ),
    (
        "Cơ quan quản lý cấp trên của đơn vị sự nghiệp công lập, đơn vị sự nghiệp công lập trực thuộc UBND tỉnh",
        [
            G("Cơ quan quản lý cấp trên của đơn vị sự nghiệp công lập"),
            G("Đơn vị sự nghiệp công lập trực thuộc UBND tỉnh"),
        ],
    ),
    # Assignment by reference: kept whole, as one unknown entry.
    (
        "Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh",
        [B("Theo phân công tại Quyết định số 1441/QĐ-UBND ngày 25/9/2025 của Chủ tịch UBND tỉnh")],
    ),
    # "Lãnh đạo <body>": the body; line breaks inside the cell are spaces.
    ("Lãnh đạo Sở Công Thương", [B("Sở Công Thương")]),
    ("Lãnh đạo\nSở Giáo dục và Đào tạo", [B("Sở Giáo dục và Đào tạo")]),
    ("Lãnh đạo \nCông an tỉnh", [B("Công an tỉnh")]),
    ("Lãnh đạo Sở Nông nghiệp và Môi trường", [B("Sở Nông nghiệp và Môi trường")]),
    ("Lãnh đạo \nSở Văn hóa, Thể thao và Du lịch", [B("Sở Văn hóa, Thể thao và Du lịch")]),
    ("Lãnh đạo \nBan Quản lý các khu công nghiệp", [B("Ban Quản lý các khu công nghiệp tỉnh")]),
    ("Lãnh đạo UBND xã Đức Trọng", [B("UBND xã Đức Trọng")]),
    ("Lãnh đạo UBND phường Xuân Hương - Đà Lạt ", [B("UBND phường Xuân Hương - Đà Lạt")]),
    # Names from the Lâm Đồng decision on the 2025 CCHC index ("Đơn vị" column) and the inspection plan.
    ("Sở Dân tộc và Tôn giáo", [B("Sở Dân tộc và Tôn giáo")]),
    ("Sở Ngoại vụ", [B("Sở Ngoại vụ")]),
    ("Cơ quan chuyên môn cấp tỉnh", [G("Các cơ quan chuyên môn thuộc UBND tỉnh")]),
    (
        "Sở Nông nghiệp và Môi trường (Văn phòng Đăng ký đất đai tỉnh và các Chi nhánh Văn phòng đăng ký đất đai khu vực)",
        [B("Sở Nông nghiệp và Môi trường")],
    ),
]

# Forms seen elsewhere or listed in the brief and facts §4: folding, distributive lists, markers.
OTHER_CELLS = [
    ("Sở TT-TT", [B(TTTT)]),
    ("Sở Thông tin - Truyền thông", [B(TTTT)]),
    ("Văn phòng Uỷ ban nhân dân tỉnh", [B(VP)]),  # new-style tone placement
    ("VPUBND tỉnh", [B(VP)]),
    (unicodedata.normalize("NFD", "Ủy ban nhân dân tỉnh"), [B("UBND tỉnh")]),
    ("Đài PT-TH", [B("Đài Phát thanh - Truyền hình tỉnh")]),
    ("Đài Phát thanh và Truyền hình tỉnh", [B("Đài Phát thanh - Truyền hình tỉnh")]),
    ("UBMTTQ VN tỉnh", [B("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")]),
    ("Sở KH&ĐT, Sở LĐ-TB&XH", [B("Sở Kế hoạch và Đầu tư"), B("Sở Lao động - Thương binh và Xã hội")]),
    ("Sở VH,TT&DL và Sở GD&ĐT", [B("Sở Văn hóa, Thể thao và Du lịch"), B("Sở Giáo dục và Đào tạo")]),
    ("Sở NN&PTNT; Sở TN&MT", [B("Sở Nông nghiệp và Phát triển nông thôn"), B("Sở Tài nguyên và Môi trường")]),
    ("Sở Nội vụ, Tư pháp", [B("Sở Nội vụ"), B("Sở Tư pháp")]),
    ("Các Sở Nội vụ, Tài chính", [B("Sở Nội vụ"), B("Sở Tài chính")]),
    ("Các Bộ: Công an, Quốc phòng", [B("Bộ Công an"), B("Bộ Quốc phòng")]),
    ("Các Sở: Kế hoạch và Đầu tư, Xây dựng", [B("Sở Kế hoạch và Đầu tư"), B("Sở Xây dựng")]),
    ("UBND cấp huyện, cấp xã", [G(HUYEN), G(XA)]),
    ("UBND các huyện, thị xã, thành phố", [G(HUYEN)]),
    ("Công an tỉnh Lâm Đồng", [B("Công an tỉnh")]),
    ("Sở Tư pháp tỉnh", [B("Sở Tư pháp")]),
    ("Sở GTVT, Sở Xây dựng, Sở Công Thương", [B("Sở Giao thông vận tải"), B("Sở Xây dựng"), B("Sở Công Thương")]),
    ("Bộ Chỉ huy Quân sự tỉnh, Ban Dân tộc", [B("Bộ Chỉ huy Quân sự tỉnh"), B("Ban Dân tộc")]),
    ("Trung tâm Phục vụ hành chính công tỉnh", [B("Trung tâm Phục vụ hành chính công tỉnh")]),
    ("HĐND tỉnh, Tỉnh uỷ", [B("HĐND tỉnh"), (("Tỉnh ủy", False, False))]),
    ("Thủ tướng Chính phủ; Văn phòng Chính phủ", [B("Thủ tướng Chính phủ"), B("Văn phòng Chính phủ")]),
    ("Sở Nội vụ; mời UBMTTQVN tỉnh", [B("Sở Nội vụ"), I("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")]),
    ("Đề nghị Ủy ban MTTQVN tỉnh", [I("Ủy ban Mặt trận Tổ quốc Việt Nam tỉnh")]),
    ("- Sở Nội vụ\n- Sở Tư pháp", [B("Sở Nội vụ"), B("Sở Tư pháp")]),
    ("Sở Nội vụ (Ban Thi đua - Khen thưởng, Ban Tôn giáo)", [B("Sở Nội vụ")]),
    ("Phòng Văn hóa và Thông tin", [B("Phòng Văn hóa và Thông tin")]),  # unknown: not split at "và"
    ("các đơn vị sự nghiệp công lập", [G("Các đơn vị sự nghiệp công lập")]),
    ("", []),
    ("  \n ", []),
]

ALL_CELLS = SEED_CELLS + LAM_DONG_CELLS + OTHER_CELLS


def _shape(cell: str) -> list[tuple[str, bool, bool]]:
    return [(a.canonical, a.is_group, a.invited) for a in split_agencies(cell)]


@pytest.mark.parametrize(("cell", "expected"), ALL_CELLS, ids=[c[:50] or "empty" for c, _ in ALL_CELLS])
def test_split_agencies(cell: str, expected: list[tuple[str, bool, bool]]) -> None:
    assert _shape(cell) == expected


def test_table_is_large_enough_and_covers_the_seed() -> None:
    assert len(ALL_CELLS) >= 40
    with SEED_TASKS.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    seed_cells = {r[col] for r in rows for col in ("lead", "partners") if r[col].strip()}
    assert seed_cells <= {cell for cell, _ in SEED_CELLS}


def test_every_seed_agency_is_in_the_gazetteer() -> None:
    for cell, _ in SEED_CELLS:
        for agency in split_agencies(cell):
            assert agency.known, (cell, agency)


def test_unknown_names_keep_their_written_form() -> None:
    (agency,) = split_agencies("UBND  xã Đức Trọng.")
    assert (agency.raw, agency.canonical, agency.known) == ("UBND xã Đức Trọng", "UBND xã Đức Trọng", False)


def test_raw_of_a_distributive_item_restores_the_head() -> None:
    agencies = split_agencies("Các Sở: TT&TT, Nội vụ, VP UBND tỉnh")
    assert [a.raw for a in agencies] == ["Sở TT&TT", "Sở Nội vụ", "VP UBND tỉnh"]


def test_invited_marker_is_not_part_of_raw() -> None:
    (agency,) = split_agencies("Mời UBMTTQVN tỉnh")
    assert agency.raw == "UBMTTQVN tỉnh" and agency.invited and agency.known


# --------------------------------------------------------------------------- gazetteer


def test_gazetteer_columns_use_closed_vocabularies() -> None:
    entries = gazetteer()
    assert len(entries) > 80
    for e in entries:
        assert e.level in LEVELS, e
        assert e.kind in KINDS, e
        assert e.canonical == e.canonical.strip() and "  " not in e.canonical
        assert e.source, e


@pytest.mark.parametrize("entry", gazetteer(), ids=lambda e: e.canonical)
def test_every_variant_maps_back_to_its_canonical(entry) -> None:
    for form in (*entry.written_forms, entry.example):
        assert canonical_name(form) == entry.canonical, form


def test_no_two_canonical_entries_share_a_variant() -> None:
    owner: dict[str, str] = {}
    for e in gazetteer():
        for form in e.written_forms:
            key = _name_key(form)
            assert owner.setdefault(key, e.canonical) == e.canonical, (form, owner[key], e.canonical)


def test_canonical_names_are_unique() -> None:
    names = [e.canonical for e in gazetteer()]
    assert len(names) == len(set(names))


def test_groups_are_never_split() -> None:
    for e in gazetteer():
        if e.is_group:
            for form in e.written_forms:
                assert _shape(form) == [(e.canonical, True, False)], form


# --------------------------------------------------------------------------- names and keys


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Sở TT&TT", "Sở TTTT"),
        ("Văn phòng UBND tỉnh", "VP UBND tỉnh"),
        ("Ủy ban MTTQVN tỉnh", "Uỷ ban Mặt trận Tổ quốc Việt Nam tỉnh"),
        ("Sở Văn hoá, Thể thao và Du lịch", "Sở VH,TT&DL"),
        ("Phòng Văn hoá và Thông tin", "phòng văn hóa & thông tin"),  # unknown, folded alike
    ],
)
def test_agency_key_groups_written_forms(a: str, b: str) -> None:
    assert agency_key(a) == agency_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Sở Nội vụ", "Bộ Nội vụ"), ("Thanh tra tỉnh", "Thanh tra Chính phủ"), ("UBND cấp huyện", "UBND cấp xã")],
)
def test_agency_key_keeps_different_agencies_apart(a: str, b: str) -> None:
    assert agency_key(a) != agency_key(b)


def test_canonical_name_of_unknown_is_none() -> None:
    assert canonical_name("Nội vụ") is None
    assert canonical_name("Hợp tác xã Nông nghiệp Đạ Tẻh") is None


def test_name_variants_on_the_seed() -> None:
    agencies = [a for cell, _ in SEED_CELLS for a in split_agencies(cell)]
    variants = name_variants(agencies)
    assert variants[TTTT] == {"Sở TT&TT", "Sở TTTT"}
    assert variants[VP] == {"Văn phòng UBND tỉnh", "VP UBND tỉnh"}
    assert variants["Sở Nội vụ"] == {"Sở Nội vụ"}


def test_name_variants_ignores_case_spacing_and_tone_placement() -> None:
    variants = name_variants(["Ủy ban nhân dân tỉnh", "Uỷ ban  nhân dân tỉnh", "UBND tỉnh", "Mặt trận X", "mặt trận x"])
    assert variants["UBND tỉnh"] == {"Ủy ban nhân dân tỉnh", "UBND tỉnh"}
    assert variants["Mặt trận X"] == {"Mặt trận X"}


def test_name_variants_leaves_out_notes_in_parentheses() -> None:
    variants = name_variants(split_agencies("Sở TT&TT (chủ trì); Sở Nội vụ") + split_agencies("Sở TT&TT"))
    assert variants[TTTT] == {"Sở TT&TT"}


def test_docstring_examples() -> None:
    import doctest

    import vanban.normalize.agencies as module

    result = doctest.testmod(module)
    assert result.attempted > 10 and result.failed == 0


def test_validity_columns_name_a_known_successor_and_a_source() -> None:
    """Bodies merged away in 2025 carry the day they ceased, their successor (itself in the gazetteer, and
    alive) and where that was read; dates are ISO and a body is never its own successor."""
    import re

    by_name = {e.canonical: e for e in gazetteer()}
    ceased = [e for e in gazetteer() if e.valid_until]
    assert {"Sở Tài nguyên và Môi trường", "Bộ Kế hoạch và Đầu tư", "UBND cấp huyện"} <= {e.canonical for e in ceased}
    for e in gazetteer():
        for day in (e.valid_from, e.valid_until):
            assert day == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", day), e
        if e.valid_from or e.valid_until:
            assert e.validity in ("confirmed", "single_source", "memory") and e.validity_source, e
    for e in ceased:
        successor = by_name[e.successor]
        assert successor is not e and not successor.valid_until, e
    assert by_name["Sở Tài nguyên và Môi trường"].successor == "Sở Nông nghiệp và Môi trường"


def test_a_remembered_cell_gives_each_caller_its_own_list():
    """`split_agencies` remembers a cell's agencies; what a caller does with its list is not what the next gets."""
    cell = "Sở Nội vụ, Sở Tư pháp"
    first = split_agencies(cell)
    first.append(first[0])
    first.clear()
    assert [a.canonical for a in split_agencies(cell)] == ["Sở Nội vụ", "Sở Tư pháp"]
    long_cell = ", ".join(["Sở Nội vụ"] * 40)  # past what is remembered: read afresh, the same answer
    assert len(long_cell) > 300 and [a.canonical for a in split_agencies(long_cell)] == ["Sở Nội vụ"] * 40

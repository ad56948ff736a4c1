"""The thể thức rules on real Word decisions with one departure planted in each (Nghị định
30/2020/NĐ-CP Phụ lục I and III), on real Party documents (Hướng dẫn 36-HD/VPTW), and the
`vanban check --format-only` command.

The clean files are real drafts (tests/data/format/SOURCES.tsv); each variant changes one thing
in the file's XML, as a clerk's slip would, and must raise its finding at the right line while
the clean file raises none of the planted kinds.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn

from conftest import ROOT, run_cli
from vanban.pipeline import process_file
from vanban.rules.format_parts import form_of

DATA = ROOT / "tests" / "data" / "format"
CLEAN = [DATA / "QD phe duyet Dieu le Hiep hoi Nuoc nam Phan Thiet 2024 - 2029.docx",
         DATA / "QĐ công bố Chỉ số CCHC sở ngành địa phương năm 2025 done.docx"]
PARTY = [DATA / "QC_DangBo_LungCu_2025_2030.docx", DATA / "nq_cds_dongtháp.docx", DATA / "36-HD_VPTW_380096.docx"]
PLANTED_RULES = {"format_font", "format_margins", "format_paper", "format_date_line", "format_number",
                 "format_type_code", "format_recipients", "format_kt_head"}
ND30_ONLY = {"format_national_title", "format_issuer", "format_title", "format_recipients", "format_color"}


# --------------------------------------------------------------------------- planting


def _rewrite_part(path: Path, part: str, edit) -> None:
    """Rewrite one XML part of a .docx in place with `edit(text) -> text`."""
    tmp = path.with_suffix(".tmp")
    with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == part:
                data = edit(data.decode("utf-8")).encode("utf-8")
            zout.writestr(item, data)
    tmp.replace(path)


def _paragraphs(container):
    for p in container.paragraphs:
        yield p
    for t in container.tables:
        for row in t.rows:
            for cell in row.cells:
                yield from _paragraphs(cell)


def _set_text(path: Path, match, text: str | None) -> None:
    """Give the first paragraph whose text `match`es the text `text` (None: delete it), keeping
    its first run's formatting, as a clerk typing over it would."""
    d = docx.Document(str(path))
    seen = set()
    for p in _paragraphs(d):
        if p._p in seen:  # a merged cell is listed in each row it spans
            continue
        seen.add(p._p)
        if match(p.text.strip()):
            if text is None:
                p._p.getparent().remove(p._p)
            else:
                runs = p.runs
                runs[0].text = text
                for r in runs[1:]:
                    r.text = ""
            d.save(str(path))
            return
    raise AssertionError(f"{path.name}: no paragraph to change")


def _all_fonts(xml: str, font: str) -> str:
    xml = re.sub(r'w:(ascii|hAnsi|cs|eastAsia)="[^"]*"', lambda m: f'w:{m.group(1)}="{font}"', xml)
    return re.sub(r'\sw:(ascii|hAnsi|cs|eastAsia)Theme="[^"]*"', "", xml)


def _place(path: Path) -> str:
    return next(p.text.split(",")[0] for p in _paragraphs(docx.Document(str(path))) if ", ngày" in p.text)


VARIANTS = {
    "arial": ("format_font", lambda p: [_rewrite_part(p, part, lambda x: _all_fonts(x, "Arial")) for part in ("word/document.xml", "word/styles.xml")], "Arial"),
    "left_20mm": ("format_margins", lambda p: _rewrite_part(p, "word/document.xml", lambda x: re.sub(r'w:left="\d+"', 'w:left="1134"', x)), "lề trái 20 mm"),
    "letter": ("format_paper", lambda p: _rewrite_part(p, "word/document.xml", lambda x: re.sub(r'<w:pgSz [^>]*/>', '<w:pgSz w:w="12240" w:h="15840"/>', x)), "Letter"),
    "day_5": ("format_date_line", lambda p: _set_text(p, lambda t: ", ngày" in t, f"{_place(p)}, ngày 5 tháng 3 năm 2025"), "ngày 05"),
    "number_5": ("format_number", lambda p: _set_text(p, lambda t: t.startswith("Số:"), "Số: 5/QĐ-UBND"), "\"05\""),
    "kh_code": ("format_type_code", lambda p: _set_text(p, lambda t: t.startswith("Số:"), "Số: 15/KH-UBND"), "\"KH\""),
    "no_luu": ("format_recipients", lambda p: _set_text(p, lambda t: t.startswith("- Lưu"), None), "Lưu: VT"),
    "kt_head": ("format_kt_head", lambda p: _set_text(p, lambda t: t == "PHÓ CHỦ TỊCH", "CHỦ TỊCH"), "KT. CHỦ TỊCH"),
}


def _findings(path: Path):
    res = process_file(path)
    assert res.ok, res.error
    return res.decision, res.findings


@pytest.mark.parametrize("clean", CLEAN, ids=lambda p: p.name[:20])
def test_clean_decisions_raise_none_of_the_planted_kinds(clean):
    dec, findings = _findings(clean)
    assert form_of(dec).regime == "nd30"
    assert not [f for f in findings if f.rule in PLANTED_RULES], [f.message for f in findings if f.rule in PLANTED_RULES]


@pytest.mark.parametrize("clean", CLEAN, ids=lambda p: p.name[:20])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_each_planted_departure_raises_its_finding(tmp_path, clean, variant):
    rule_id, plant, says = VARIANTS[variant]
    path = tmp_path / clean.name
    shutil.copyfile(clean, path)
    plant(path)
    dec, findings = _findings(path)
    got = [f for f in findings if f.rule == rule_id]
    assert len(got) == 1, (variant, [(f.rule, f.message) for f in findings])
    f = got[0]
    assert says in f.message, f.message
    assert f.category == "format" and f.message_en and f.evidence
    assert f.severity == ("error" if rule_id in ("format_type_code", "format_kt_head") else "info")
    others = {g.rule for g in findings if g.rule in PLANTED_RULES} - {rule_id}
    assert not others, f"{variant} raised also {others}"


def test_a_symbol_numbered_as_a_cong_van_lacks_its_type_code(tmp_path):
    """A Quyết định numbered "Số: 15/UBND-VP" (a công văn's form) has no type code: a warning naming the code
    it should carry. "Số: 15/QĐ.UBND" opens with the code (a slip of the joint): not a missing code."""
    path = tmp_path / CLEAN[1].name
    shutil.copyfile(CLEAN[1], path)
    _set_text(path, lambda t: t.startswith("Số:"), "Số: 15/UBND-VP")
    got = [f for f in _findings(path)[1] if f.rule == "format_type_code"]
    assert [(f.severity, '"UBND"' in f.message, 'có mã "QĐ"' in f.message) for f in got] == [("warning", True, True)]
    assert got[0].evidence[0].text == "Số: 15/UBND-VP"
    _set_text(path, lambda t: t.startswith("Số:"), "Số: 15/QĐ.UBND")
    assert not [f for f in _findings(path)[1] if f.rule == "format_type_code"]


def test_the_findings_point_at_the_changed_line(tmp_path):
    clean = CLEAN[0]
    for variant, needle in (("day_5", "ngày 5 tháng 3"), ("number_5", "Số: 5/QĐ-UBND"), ("kt_head", "KT. CHỦ TỊCH")):
        rule_id, plant, _ = VARIANTS[variant]
        path = tmp_path / f"{variant}.docx"
        shutil.copyfile(clean, path)
        plant(path)
        dec, findings = _findings(path)
        f = next(f for f in findings if f.rule == rule_id)
        line = dec.text.split("\n")[f.evidence[0].line - 1]
        assert needle in line and needle in f.evidence[0].text, (variant, line, f.evidence[0])


def test_correct_forms_of_the_same_parts_raise_nothing(tmp_path):
    """"ngày 05 tháng 3" (months 3-12 need no 0), "Số: 05/QĐ-UBND", a right margin of 15 mm."""
    path = tmp_path / "ok.docx"
    shutil.copyfile(CLEAN[0], path)
    _set_text(path, lambda t: ", ngày" in t, "Bình Thuận, ngày 05 tháng 3 năm 2025")
    _set_text(path, lambda t: t.startswith("Số:"), "Số: 05/QĐ-UBND")
    _rewrite_part(path, "word/document.xml", lambda x: re.sub(r'w:right="\d+"', 'w:right="851"', x))
    _, findings = _findings(path)
    assert not [f for f in findings if f.category == "format"], [f.message for f in findings if f.category == "format"]


def _runs_off(p, tag: str) -> None:
    """Every run of a paragraph (in smart tags and links too) without the toggle `tag` ("b", "i")."""
    for r in p._p.iter(qn("w:r")):
        rpr = r.get_or_add_rPr()
        for el in rpr.findall(qn(f"w:{tag}")):
            rpr.remove(el)
        rpr.append(rpr.makeelement(qn(f"w:{tag}"), {qn("w:val"): "0"}))


def test_how_the_looks_are_judged_from_the_xml(tmp_path):
    """The Quốc hiệu not bold, the date line upright, "Nơi nhận:" not italic: read from the runs."""
    path = tmp_path / "looks.docx"
    shutil.copyfile(CLEAN[1], path)
    d = docx.Document(str(path))
    for p in _paragraphs(d):
        t = p.text.strip()
        if t.startswith("CỘNG HÒA"):
            _runs_off(p, "b")
        elif ", ngày" in t:
            _runs_off(p, "i")
        elif t.startswith("Nơi nhận"):
            _runs_off(p, "i")
    d.save(str(path))
    _, findings = _findings(path)
    by_rule = {f.rule: f.message for f in findings if f.category == "format"}
    assert "Quốc hiệu: không in đậm" in by_rule["format_national_title"]
    assert "không in nghiêng" in by_rule["format_date_line"]
    assert "không in nghiêng" in by_rule["format_recipients"]


# --------------------------------------------------------------------------- Party documents


@pytest.mark.parametrize("path", PARTY, ids=lambda p: p.name[:20])
def test_party_documents_are_never_judged_by_nd30(path):
    dec, findings = _findings(path)
    assert form_of(dec).regime == "hd36"
    fmt = [f for f in findings if f.category == "format"]
    assert not [f for f in fmt if f.rule in ND30_ONLY], [f.message for f in fmt]
    assert not [f for f in fmt if "NĐ 30" in f.message], [f.message for f in fmt]


def test_the_forms_of_one_regime_are_departures_in_the_other(tmp_path):
    party = tmp_path / "party.docx"
    shutil.copyfile(PARTY[0], party)
    _set_text(party, lambda t: t.startswith("T/M"), "TM. ĐẢNG UỶ")
    _set_text(party, lambda t: t.startswith("Số"), "Số: 05/QC-ĐU")
    _, findings = _findings(party)
    msgs = {f.rule: f.message for f in findings}
    assert "văn bản hành chính" in msgs["format_signing"] and "T/M" in msgs["format_signing"]
    state = tmp_path / "state.docx"
    shutil.copyfile(CLEAN[0], state)
    _set_text(state, lambda t: t.startswith("KT."), "K/T CHỦ TỊCH")
    _, findings = _findings(state)
    msgs = {f.rule: f.message for f in findings}
    assert "văn bản Đảng" in msgs["format_signing"] and "KT." in msgs["format_signing"]


def test_a_party_quy_dinh_and_a_state_decision_take_their_own_type_codes(tmp_path):
    party = tmp_path / "party.docx"
    shutil.copyfile(PARTY[1], party)  # a Nghị quyết of a Tỉnh uỷ: "Số -NQ/TU"
    _set_text(party, lambda t: t.startswith("Số"), "Số 05-KH/TU")
    _, findings = _findings(party)
    f = next(f for f in findings if f.rule == "format_type_code")
    assert f.severity == "error" and "\"NQ\"" in f.message and "HD 36" in f.message


# --------------------------------------------------------------------------- the command


def test_check_format_only_gives_the_format_findings_of_a_draft(tmp_path):
    path = tmp_path / "draft.docx"
    shutil.copyfile(CLEAN[0], path)
    VARIANTS["kt_head"][1](path)
    VARIANTS["day_5"][1](path)
    res = run_cli("check", "--format-only", str(path))
    assert res.returncode == 0, res.stderr
    assert "format_kt_head" in res.stdout and "format_date_line" in res.stdout
    assert "ERROR" in res.stdout and "missing_signer" not in res.stdout
    only = run_cli("check", "--format-only", "--json", str(path))
    assert only.returncode == 0 and all('"category": "format"' in line for line in only.stdout.splitlines() if line)


# --------------------------------------------------------------------------- every rule, both languages


def _looks_off(path: Path, starts: str, tag: str) -> None:
    d = docx.Document(str(path))
    p = next(p for p in _paragraphs(d) if p.text.strip().startswith(starts))
    _runs_off(p, tag)
    d.save(str(path))


def _blue_text(path: Path) -> None:
    d = docx.Document(str(path))
    for p in _paragraphs(d):
        if p.text.startswith("Điều 1."):
            for r in p.runs:
                r.font.color.rgb = docx.shared.RGBColor(0, 0, 0xFF)
    d.save(str(path))


#: the departures not planted above, one for each remaining rule: (clean file, plant, rule, what the Vietnamese says)
OTHERS = {
    "motto_caps": (CLEAN[0], lambda p: _set_text(p, lambda t: t.startswith("Độc lập"), "ĐỘC LẬP - TỰ DO - HẠNH PHÚC"),
                   "format_national_title", "in hoa toàn bộ"),
    "issuer_plain": (CLEAN[0], lambda p: _looks_off(p, "TỈNH BÌNH THUẬN", "b"), "format_issuer", "không in đậm"),
    "subject_caps": (CLEAN[0], lambda p: _set_text(p, lambda t: t.startswith("Phê duyệt Điều lệ"), "PHÊ DUYỆT ĐIỀU LỆ (SỬA ĐỔI, BỔ SUNG) HIỆP HỘI"),
                     "format_title", "trích yếu viết in hoa"),
    "tm_no_dot": (CLEAN[0], lambda p: _set_text(p, lambda t: t == "KT. CHỦ TỊCH", "KT CHỦ TỊCH"), "format_signing", "\"KT.\""),
    "blue_text": (CLEAN[0], _blue_text, "format_color", "0000FF"),
    "page_right": (CLEAN[0], lambda p: _rewrite_part(p, "word/header1.xml", lambda x: x.replace('<w:jc w:val="center"/>', '<w:jc w:val="right"/>')),
                   "format_page_numbers", "phải"),
    "party_untitled": (PARTY[0], lambda p: _set_text(p, lambda t: t.startswith("ĐẢNG CỘNG SẢN"), None), "format_party_title",
                       "không có tiêu đề"),
}


def test_every_format_rule_speaks_vietnamese_and_english(tmp_path):
    """Each registered format rule, on a real file with its departure planted, gives a Vietnamese
    message citing the decree or the Party guide and an English one beside it."""
    from vanban.rules.engine import load_rules

    seen: dict[str, object] = {}
    for name, (clean, plant, rule_id, says) in {**{k: (CLEAN[0], v[1], v[0], v[2]) for k, v in VARIANTS.items()}, **OTHERS}.items():
        path = tmp_path / f"{name}{clean.suffix}"
        shutil.copyfile(clean, path)
        plant(path)
        _, findings = _findings(path)
        got = [f for f in findings if f.rule == rule_id]
        assert got and says in got[0].message, (name, [(f.rule, f.message) for f in findings if f.category == "format"])
        seen[rule_id] = got[0]
    every = {r.id for r in load_rules().values() if r.category == "format"}
    assert set(seen) == every, every - set(seen)
    for rule_id, f in seen.items():
        assert re.search(r"NĐ 30|Nghị định 30|HD 36|Hướng dẫn 36|CHỦ TỊCH", f.message), (rule_id, f.message)
        assert re.search(r"[ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹđ]", f.message.lower()), (rule_id, f.message)
        assert f.message_en and f.message_en != f.message, (rule_id, f.message_en)
        assert re.search(r"\b(the|not|is|a|an|no|must|size|margin|paper|as)\b", f.message_en), (rule_id, f.message_en)

"""The patterns of the words around a symbol: the type word before it, the date, issuer and title after it,
lists, and documents cited by name. The symbol itself is `vanban.normalize.symbols`.

Type words are read backwards from the symbol (`type_words`): a regex matched at the start of the reversed
window before it, instead of searched for at the window's end.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from vanban.normalize.citations.text import fold
from vanban.normalize.codes import doc_types
from vanban.normalize.numerals import ROMAN as ROMAN_LETTERS

#: Documents cited by name: "Luật Tổ chức chính quyền địa phương", "Nghị quyết Đại hội đại biểu ... lần thứ XVI".
NAMED = re.compile(
    r"(?=[BLPHN])(?<![\w])(?P<tw>Bộ luật|Luật|Pháp lệnh|Hiến pháp|Nghị quyết(?=[ \t]+(?:Đại hội|Hội nghị)))(?=[ \t])"
)

ISSUER_START = re.compile(r"[ \t]*,?[ \t]*(?:\n[ \t]*)?của[ \t]+(?:\n[ \t]*)?")
WORD = re.compile(r"[^\W\d_][\w&]*(?:-[^\W\d_][\w&]*)?")
GAP = re.compile(r"[ ]+(?:\n[ ]*)?|[ ]*\n[ ]*")  # a tab is a table cell's end
# An issuer's name: capitalised words, the lowercase syllable right after one ("Thủ tướng", "Ủy ban"), and
# a few lowercase words of organ names ("Ủy ban nhân dân tỉnh", "Bộ Giao thông vận tải"). What follows
# "của Chính phủ" is the title ("về ...", "ban hành ..."), so these words end an issuer.
ISSUER_LOWER = frozenset(
    "nhân dân tỉnh huyện xã thị trấn thành phố quận phường trung ương thường vụ vận tải nông thôn nhà nước "
    "tối cao khóa khoá chính phủ quốc hội đảng bộ chấp hành".split()
)
ISSUER_STOP = frozenset(
    "về tại theo đối trên trong để giao kèm đã được có cho với nhằm thì là trước sau đến từ hoặc năm ngày số".split()
)
ISSUER_STOP_PAIRS = frozenset(
    {("ban", "hành"), ("quy", "định"), ("hướng", "dẫn"), ("phê", "duyệt"), ("thực", "hiện"), ("sửa", "đổi"),
     ("công", "bố"), ("thành", "lập"), ("triển", "khai"), ("tổ", "chức"), ("đồng", "ý"), ("bổ", "sung")}
)
#: the subject words after a citation; "thực hiện theo ..." is the sentence's predicate ("hàng hóa quy định tại
#: Điều 2 Nghị định số 94/1998/NĐ-CP của Chính phủ thực hiện theo hướng dẫn riêng"), not a title
TITLE = re.compile(
    r"[ \t]*,?[ \t]*(?:\n[ \t]*)?(?P<t>(?:về|ban hành|quy định|hướng dẫn|phê duyệt|sửa đổi|thực hiện(?! theo\b)|công bố|thành lập)\b"
    r"[^;\t\n]*(?:\n(?![ \t]*\n)[^;\t\n]*){0,3})"
)
TITLE_END = re.compile(r";|\.(?=\s|$)|\t|\)|“|”|\"")
LIST_GAP = re.compile(r"[ \t]*(?:\n[ \t]*)?(?:,|,?[ \t]+và|,?[ \t]+hoặc)[ \t]*(?:\n[ \t]*)?")

# Names of laws: what may continue after a comma ("Luật Phòng, chống tham nhũng", "Luật sửa đổi, bổ sung").
NAME_COMMA_GOES_ON = ("bổ sung", "chống", "khen thưởng")
NAME_STOP = frozenset(
    "ngày của tại theo đã được này thì để nhằm trong trên đối hoặc do có về và hiện các là từ "
    "đến khi mà cho với nêu như".split()
)
NAME_STOP_PAIRS = frozenset({("quy", "định"), ("hướng", "dẫn")})
NAME_PAIR_FIRST = frozenset(a for a, _ in NAME_STOP_PAIRS)
# Words that show "Luật" is not a name here: "Luật này", "các Luật chuyên ngành", "được Luật giao".
NAME_GENERIC_FIRST = frozenset("này chuyên liên khác hiện mới các và cũ giao quy định cho".split())
#: Words that end a name or change how it is read, in any case: "số", "năm", "của", "và", "nhiệm", the
#: stop words and the first words of the stop pairs. A run of other words, one space apart, goes on a name
#: whatever stands before it (`names.read_name` takes such a run in one match).
_NAME_EXCEPT = sorted(NAME_STOP | NAME_PAIR_FIRST | {"số", "năm", "của", "và", "nhiệm"}, key=len, reverse=True)
NAME_RUN = re.compile(
    rf"(?:[ ]+(?!(?:{'|'.join(_NAME_EXCEPT)})(?![\w&])(?!-[^\W\d_])){WORD.pattern})*", re.IGNORECASE
)
ROMAN = re.compile(ROMAN_LETTERS)
SPACES = re.compile(r"\s+")


def squeeze(s: str) -> str:
    """Each run of white space as one space: `SPACES.sub(" ", s)`, without the regex where there is
    none to squeeze (the usual case: every white space character but the space is unprintable).

    >>> squeeze("Nghị  định\nsố"), squeeze("ngày 14/9/2020")
    ('Nghị định số', 'ngày 14/9/2020')
    """
    return s if s.isprintable() and "  " not in s else SPACES.sub(" ", s)


TITLE_TAIL = re.compile(r"(?:[ ,]+(?:của|và|theo|tại))+$")
#: Where names may start; found with str.find, which is much faster than a regex over the whole text.
NAME_STARTS = ("Luật", "Bộ luật", "Pháp lệnh", "Hiến pháp", "Nghị quyết Đại hội", "Nghị quyết Hội nghị")

#: what stands before a form's number, not a document's symbol: "theo mẫu số 01/NT-TCT", "Biểu số 01/TNLĐ-CS"
FORM_NUMBER = re.compile(r"(?<!\w)(?:mẫu|biểu)[ \t]*(?:số)?[ \t]*:?[ \t]*$", re.IGNORECASE)
DIGITS = re.compile(r"\d+")
NUMBER_NEXT = re.compile(r"[ \t]*:?[ \t]*(?:\n[ \t]*)?(?=\d)")
YEAR_NEXT = re.compile(r"[ \t]+\d{4}")
OF_THE_STATE = re.compile(r"[ \t]+Nhà nước(?=[ \t]*(?:[;,.)\n]|$|ngày|năm|số))")  # "... của Nhà nước" ends a law's name
LAW_NEXT = re.compile(r"[ \t]+(?:các[ \t]+)?(?:Luật|Bộ luật|Pháp lệnh)")


@dataclass(frozen=True, slots=True)
class TypeWords:
    """The type words of `corpus/doc_types.tsv` as they stand before a symbol, read backwards."""

    word_kind: dict[str, str]  # folded type word -> kind
    written_kind: dict[str, str]  # a type word as `fast` matched it (reversed) -> kind, filled as they are met
    folded: re.Pattern[str]  # on the folded window: "Nghi dinh so"
    fast: re.Pattern[str]  # on the window as written, the usual case


def _backwards(words: list[str], so: str, qualifiers: list[str]) -> re.Pattern[str]:
    """The words before a symbol, reversed: "số:", "số", a qualifier ("hành động"), the type word."""
    def rev(w: str) -> str:
        return re.escape(w[::-1]).replace(r"\ ", r"\s+")
    return re.compile(
        rf"[ \t]*(?:\n[ \t]*){{0,3}}(?::?[ \t]*{so}[ \t]*(?:\n[ \t]*){{0,3}})?"
        rf"(?:(?:{'|'.join(rev(q) for q in qualifiers)})[ \t]+)?"
        rf"(?P<tw>{'|'.join(rev(w) for w in sorted(words, key=len, reverse=True))})(?!\w)",
        re.IGNORECASE,
    )


@functools.cache
def type_words() -> TypeWords:
    word_kind: dict[str, str] = {}
    for row in doc_types():
        word_kind.setdefault(fold(row["kind"]), row["kind"])
    kinds = sorted({row["kind"] for row in doc_types()})
    return TypeWords(
        word_kind=word_kind,
        written_kind={},
        folded=_backwards(list(word_kind), "os", ["hanh dong", "lien nganh", "phoi hop", "tham dinh"]),
        fast=_backwards(kinds, "ốs", ["hành động", "liên ngành", "phối hợp", "thẩm định"]),
    )

"""Roman numerals: one reader for sections, chapters, quarters and numbered units."""

from __future__ import annotations

import doctest

import pytest

import vanban.normalize.numerals as numerals
from vanban.normalize.numerals import roman_value, to_roman


@pytest.mark.parametrize("n", range(1, 60))
def test_every_number_a_document_uses_reads_back(n):
    assert roman_value(to_roman(n), highest=59) == n


@pytest.mark.parametrize("written", ["IIII", "VX", "IC", "XXXX", "", "A", "iv", "L", "C"])
def test_what_is_not_a_section_number(written):
    assert roman_value(written) is None


def test_sections_stop_at_39_units_at_59():
    assert roman_value("XXXIX") == 39 and roman_value("XL") is None
    assert roman_value("LIX", highest=59) == 59 and roman_value("LX", highest=59) is None


def test_module_examples():
    result = doctest.testmod(numerals)
    assert result.attempted > 0 and result.failed == 0

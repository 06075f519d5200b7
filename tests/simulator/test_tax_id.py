"""GB 32100-2015 check digits."""

import numpy as np

from simulator.tax_id import (
    corrupt_check_char,
    is_valid_uscc,
    make_uscc,
    org_check_char,
    uscc_check_char,
)


def test_published_codes_pass_and_altered_ones_fail() -> None:
    # Codes printed on public business licences (the standard's worked example style).
    assert is_valid_uscc("91350100M000100Y43")
    assert is_valid_uscc("91110000802100433B")
    assert not is_valid_uscc("91350100M000100Y44")
    assert not is_valid_uscc("91350100M000100Y4")  # 17 characters
    assert not is_valid_uscc("91350100M000100I43")  # I is not in the alphabet


def test_check_characters() -> None:
    assert uscc_check_char("91350100M000100Y4") == "3"
    assert org_check_char("M000100Y") == "4"


def test_generated_codes_are_valid_distinct_and_carry_the_division() -> None:
    division = np.array([310000, 440300, 110000, 510100] * 250)
    codes = make_uscc(division, np.arange(1000) * 99_991 % 10**8)
    assert len(set(codes)) == 1000
    assert all(is_valid_uscc(c) for c in codes)
    assert all(org_check_char(c[8:16]) == c[16] for c in codes)
    assert codes[0][:8] == "91310000"


def test_corruption_always_breaks_the_check_digit() -> None:
    code = make_uscc(np.array([310000]), np.array([12345678]))[0]
    for shift in range(30):
        bad = corrupt_check_char(code, shift)
        assert bad[:17] == code[:17]
        assert not is_valid_uscc(bad)

"""统一社会信用代码 (unified social credit code, GB 32100-2015) generation and validation.

Layout: 1 registration authority + 1 entity type + 6 administrative division + 9 organisation
code (8 body characters and a GB 11714 check character) + 1 check character.
"""

from __future__ import annotations

import numpy as np

# GB 32100 alphabet: digits and capitals without I, O, S, V, Z (31 symbols).
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUE = {c: i for i, c in enumerate(USCC_ALPHABET)}
# Weight of position i is 3**i mod 31.
USCC_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
ORG_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)


def org_check_char(body: str) -> str:
    """GB 11714 check character for the 8-character organisation code body (digits/capitals)."""
    total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS.tolist(), strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_check_char(first17: str) -> str:
    """GB 32100 check character for the first 17 characters of a credit code."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(first17, USCC_WEIGHTS.tolist(), strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    """True when ``code`` is 18 characters of the GB 32100 alphabet with a correct check digit."""
    if len(code) != 18 or any(c not in _USCC_VALUE for c in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def make_uscc(division_codes: np.ndarray, org_numbers: np.ndarray) -> list[str]:
    """Build valid credit codes, vectorised over companies.

    ``division_codes`` are 6-digit administrative division codes, ``org_numbers`` distinct
    integers below 10**8 that become the organisation code body (distinct in -> distinct out).
    Registration authority 9 (market regulation) and type 1 (enterprise), as for most companies.
    """
    n = len(org_numbers)
    digits = np.zeros((n, 17), dtype=np.int64)
    digits[:, 0] = 9
    digits[:, 1] = 1
    div = division_codes.astype(np.int64)
    for k in range(6):
        digits[:, 2 + k] = (div // 10 ** (5 - k)) % 10
    org = org_numbers.astype(np.int64)
    for k in range(8):
        digits[:, 8 + k] = (org // 10 ** (7 - k)) % 10
    org_check = 11 - (digits[:, 8:16] * ORG_WEIGHTS).sum(axis=1) % 11
    # The organisation check is a symbol (X for 10, 0 for 11); the USCC sum needs that symbol's
    # value in the USCC alphabet, where X is 29.
    org_sym = np.where(org_check == 10, 29, np.where(org_check == 11, 0, org_check))
    digits[:, 16] = org_sym
    check = (31 - (digits * USCC_WEIGHTS).sum(axis=1) % 31) % 31
    alphabet = np.array(list(USCC_ALPHABET))
    chars = alphabet[np.concatenate([digits, check[:, None]], axis=1)]
    return ["".join(row) for row in chars.tolist()]


def corrupt_check_char(code: str, shift: int) -> str:
    """Return ``code`` with its check character replaced by a different, wrong one."""
    value = _USCC_VALUE[code[17]]
    return code[:17] + USCC_ALPHABET[(value + 1 + shift % 30) % 31]

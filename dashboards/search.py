"""Customer search that forgives the variants people type.

A reader types "华为技术", "华为技术有限公司", "ＨＵＡＷＥＩ", "138-0013-8000",
"+86 13800138000" or a tax id in lower case; each should find the customer. The text is
normalised (full-width to half-width, case, spaces and punctuation, legal-form suffixes dropped)
and then matched against the name, the customer codes of every merged record, the tax id and
the phones' digits.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# legal forms and their abbreviations: typed or not, they say nothing about which company
LEGAL_FORMS = (
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd",
    "ltd.",
    "ltd",
    "inc.",
    "inc",
)
# a phone number: at least this many digits once everything else is dropped
MIN_PHONE_DIGITS = 6
CHINA_PREFIXES = ("0086", "86")


@dataclass(frozen=True)
class SearchTerms:
    """What one typed text is matched against."""

    name: str
    code: str
    digits: str | None


def fold(text: str) -> str:
    """Full-width to half-width, lower case, no spaces or separators."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\-_/·()（）【】\[\]]", "", folded)


def name_core(text: str) -> str:
    """The folded name without a trailing legal form."""
    folded = fold(text)
    for form in LEGAL_FORMS:
        if folded.endswith(form) and len(folded) > len(form):
            return folded[: -len(form)]
    return folded


def phone_digits(text: str) -> str | None:
    """The digits of a phone number without the China prefix, or None if it is no phone."""
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    for prefix in CHINA_PREFIXES:
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            return digits[len(prefix) :]
    return digits


def search_terms(text: str) -> SearchTerms | None:
    """The normalised forms of ``text``, or None when nothing searchable was typed."""
    if not text or not fold(text):
        return None
    return SearchTerms(name=name_core(text), code=fold(text), digits=phone_digits(text))

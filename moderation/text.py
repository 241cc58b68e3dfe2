"""Text checks shared by comments and consultation answers: folding, term matching, personal data."""

import re
import unicodedata
from functools import lru_cache


def fold(text: str) -> str:
    """Text compared case- and accent-insensitively: "Café" and "CAFE" fold alike.

    Invisible format characters (zero-width spaces and joiners, direction marks) are
    dropped too, so they cannot hide a word inside another.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )


@lru_cache(maxsize=8)
def terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    alternatives = "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def matched_terms(text: str, terms: tuple[str, ...]) -> list[str]:
    if not terms:
        return []
    return sorted(set(terms_pattern(terms).findall(fold(text))))


def domains_of(email: str) -> list[str]:
    """example.org for a@example.org, and every parent: a ban on example.org covers mail.example.org."""
    parts = email.rpartition("@")[2].split(".")
    return [".".join(parts[i:]) for i in range(len(parts) - 1)]


EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
UK_PHONE = re.compile(r"(?<![\w+])(?:\+44\s?(?:\(0\)\s?)?|0044\s?|\(?0)\d(?:[\s-]?\d){8,9}(?!\d)")
TEN_DIGITS = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE)


def is_nhs_number(candidate: str) -> bool:
    """The NHS number's modulus 11 check digit, which most ten-digit strings fail."""
    digits = [int(char) for char in candidate if char.isdigit()]
    total = sum(digit * weight for digit, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == digits[9]


def personal_data_kinds(text: str) -> list[str]:
    kinds = []
    if EMAIL.search(text):
        kinds.append("email")
    if UK_PHONE.search(text):
        kinds.append("phone")
    if any(is_nhs_number(match) for match in TEN_DIGITS.findall(text)):
        kinds.append("nhs_number")
    if POSTCODE.search(text):
        kinds.append("postcode")
    return kinds

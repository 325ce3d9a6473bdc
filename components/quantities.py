"""Kubernetes resource quantities ("500m", "128Mi", "1.5", "2e3") as exact numbers.

GOMEMLIMIT, GOMAXPROCS and the requests <= limits check all need the numeric value of a
quantity string, and a float would round "0.1" CPU wrongly; so quantities are parsed into
`Fraction`s, exactly as the API server would read them.
"""

from __future__ import annotations

import re
from fractions import Fraction

_BINARY_SUFFIXES = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL_SUFFIXES = {
    "n": Fraction(1, 10**9),
    "u": Fraction(1, 10**6),
    "m": Fraction(1, 10**3),
    "": Fraction(1),
    "k": Fraction(10**3),
    "M": Fraction(10**6),
    "G": Fraction(10**9),
    "T": Fraction(10**12),
    "P": Fraction(10**15),
    "E": Fraction(10**18),
}
_QUANTITY = re.compile(
    r"^(?P<number>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
    r"(?:(?P<exponent>[eE][+-]?[0-9]+)|(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])?)$"
)

MEBIBYTE = 2**20


class QuantityError(ValueError):
    """A string that is not a Kubernetes quantity, or not one that fits where it is used.

    `reason` is the message without the offending text, for callers that report the value
    their own way (config problems show it as `(got ...)`).
    """

    def __init__(self, reason: str, text: str | None = None) -> None:
        self.reason = reason
        super().__init__(reason if text is None else f"{reason} (got {text!r})")


def parse_quantity(text: str) -> Fraction:
    """Exact value of a Kubernetes quantity, in base units (cores or bytes)."""
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise QuantityError(
            f"not a Kubernetes quantity: {text!r} (expected e.g. 500m, 2, 128Mi, 1Gi, 1e9)"
        )
    number = Fraction(match["number"])
    if match["exponent"]:
        return number * Fraction(10) ** int(match["exponent"][1:])
    suffix = match["suffix"] or ""
    if suffix in _BINARY_SUFFIXES:
        return number * _BINARY_SUFFIXES[suffix]
    return number * _DECIMAL_SUFFIXES[suffix]


def parse_cpu(text: str) -> Fraction:
    """CPU cores; a CPU quantity must be positive and no finer than the API's 1m."""
    cores = parse_quantity(text)
    if cores <= 0:
        raise QuantityError("CPU must be > 0", text)
    if cores < Fraction(1, 1000):
        raise QuantityError("CPU below 1m cannot be scheduled", text)
    return cores


def parse_memory(text: str) -> int:
    """Bytes; the API server rounds fractional bytes up, so we do too."""
    value = parse_quantity(text)
    if value <= 0:
        raise QuantityError("memory must be > 0", text)
    return -(-value.numerator // value.denominator)

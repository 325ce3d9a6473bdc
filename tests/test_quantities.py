import re
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warmstart.components.quantities import QuantityError, parse_cpu, parse_memory, parse_quantity


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500m", Fraction(1, 2)),
        ("1", Fraction(1)),
        ("1.5", Fraction(3, 2)),
        ("0.1", Fraction(1, 10)),
        (".5", Fraction(1, 2)),
        ("128Mi", 128 * 2**20),
        ("1Gi", 2**30),
        ("512M", 512 * 10**6),
        ("1k", 1000),
        ("1e3", 1000),
        ("2E-3", Fraction(2, 1000)),
        ("250u", Fraction(250, 10**6)),
        ("+3", 3),
    ],
)
def test_parses_kubernetes_quantities(text, value):
    assert parse_quantity(text) == value


@pytest.mark.parametrize("text", ["", "Mi", "1.2.3", "12Qi", "1 Gi", "1GiB", "0x10", "1e", "-"])
def test_rejects_non_quantities(text):
    with pytest.raises(QuantityError, match="not a Kubernetes quantity"):
        parse_quantity(text)


def test_cpu_must_be_schedulable():
    assert parse_cpu("1m") == Fraction(1, 1000)
    with pytest.raises(QuantityError, match="below 1m"):
        parse_cpu("100u")
    with pytest.raises(QuantityError, match="must be > 0"):
        parse_cpu("0")


def test_memory_rounds_fractional_bytes_up():
    assert parse_memory("1.5") == 2
    assert parse_memory("64Mi") == 67108864
    with pytest.raises(QuantityError, match="must be > 0"):
        parse_memory("-1Mi")


@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(["Ki", "Mi", "Gi"]))
def test_binary_suffixes_multiply_exactly(number, suffix):
    scale = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30}[suffix]
    assert parse_quantity(f"{number}{suffix}") == number * scale


# The API server's grammar (apimachinery's resource.Quantity), written out independently:
# ASCII digits only, one optional exponent or suffix, nothing after it.
POWERS_OF_TWO = {"": 0, "Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
POWERS_OF_TEN = {"n": -9, "u": -6, "m": -3, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
SUFFIX_VALUES = {
    **{suffix: Fraction(2) ** power for suffix, power in POWERS_OF_TWO.items()},
    **{suffix: Fraction(10) ** power for suffix, power in POWERS_OF_TEN.items()},
}


def grammar_value(text: str) -> Fraction | None:
    match = re.fullmatch(
        r"(?P<n>[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))"
        r"(?:[eE](?P<e>[+-]?[0-9]+)|(?P<s>[KMGTPE]i|[numkMGTPE]))?",
        text,
        re.ASCII,
    )
    if match is None:
        return None
    number = Fraction(Decimal(match["n"]))
    if match["e"] is not None:
        return number * Fraction(10) ** int(match["e"])
    return number * SUFFIX_VALUES[match["s"] or ""]


quantity_like = st.text(alphabet="0123456789.+-eEKMGTPEinumk \n\u0663", max_size=8)


@given(quantity_like | st.text(max_size=12))
def test_parses_exactly_what_the_api_server_grammar_accepts(text):
    expected = grammar_value(text)
    if expected is None:
        with pytest.raises(QuantityError, match="not a Kubernetes quantity"):
            parse_quantity(text)
    else:
        assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text", ["64Mi\n", "\u0663\u0662Mi", " 1", "1 ", "1Mi1", "1e", "e3", "1.2.3"]
)
def test_what_the_api_server_refuses(text):
    with pytest.raises(QuantityError):
        parse_quantity(text)


@pytest.mark.parametrize(
    ("suffix", "scale"),
    [
        ("n", Fraction(1, 10**9)),
        ("u", Fraction(1, 10**6)),
        ("m", Fraction(1, 10**3)),
        ("k", Fraction(10**3)),
        ("M", Fraction(10**6)),
        ("G", Fraction(10**9)),
        ("T", Fraction(10**12)),
        ("P", Fraction(10**15)),
        ("E", Fraction(10**18)),
        ("Ki", Fraction(2**10)),
        ("Mi", Fraction(2**20)),
        ("Gi", Fraction(2**30)),
        ("Ti", Fraction(2**40)),
        ("Pi", Fraction(2**50)),
        ("Ei", Fraction(2**60)),
    ],
)
def test_every_suffix_scales_by_its_own_factor(suffix, scale):
    """Each of the API server's suffixes, literally (#21 item 22: n, T, P, E, Ti, Pi, Ei had
    no test, so a wrong factor for any of them survived)."""
    assert parse_quantity(f"3{suffix}") == 3 * scale
    assert parse_quantity(f"1.5{suffix}") == Fraction(3, 2) * scale


def test_the_large_suffixes_reach_memory_and_the_small_ones_cpu():
    assert parse_memory("1Ti") == 1_099_511_627_776
    assert parse_memory("1Pi") == 1_125_899_906_842_624
    assert parse_memory("1Ei") == 1_152_921_504_606_846_976
    assert parse_memory("2T") == 2_000_000_000_000
    assert parse_memory("1P") == 10**15
    assert parse_memory("1E") == 10**18
    assert parse_memory("1500000000n") == 2  # 1.5 bytes, rounded up as the API server does
    assert parse_cpu("1000000n") == Fraction(1, 1000)
    with pytest.raises(QuantityError, match="below 1m"):
        parse_cpu("999999n")

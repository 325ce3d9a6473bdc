import pytest

from warmstart.components.service.goruntime import go_runtime_env, gomaxprocs, gomemlimit


@pytest.mark.parametrize(
    ("limit", "expected"),
    [
        ("64Mi", "57MiB"),  # 57.6 MiB, rounded down
        ("128Mi", "115MiB"),
        ("512Mi", "460MiB"),
        ("1Gi", "921MiB"),
        ("1G", "858MiB"),  # decimal gigabyte: 900,000,000 B = 858.3 MiB
        ("16Mi", "14MiB"),  # the smallest limit config allows: 14.4 MiB rounded down
    ],
)
def test_gomemlimit_is_ninety_percent_rounded_down(limit, expected):
    assert gomemlimit(limit) == expected


@pytest.mark.parametrize(
    ("limit", "expected"),
    [("100m", 1), ("999m", 1), ("1", 1), ("1001m", 2), ("1500m", 2), ("2", 2), ("3.2", 4)],
)
def test_gomaxprocs_rounds_up_and_is_at_least_one(limit, expected):
    assert gomaxprocs(limit) == expected


def test_env_carries_both():
    assert go_runtime_env("1500m", "256Mi") == {"GOMAXPROCS": "2", "GOMEMLIMIT": "230MiB"}

"""The moto world the failover tests share (tests/functions/failover_world.py)."""

import pytest

from tests.functions.failover_world import moto_world


@pytest.fixture
def aws():
    with moto_world() as world:
        yield world

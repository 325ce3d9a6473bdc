"""`make e2e` fails on a skipped end-to-end test; other skips stay skips. Runs in `make test`
(not marked e2e): pytest in a subprocess on a two-test file, with the hook as a plugin."""

import subprocess
import sys
from pathlib import Path

from tests.e2e.skips import PREFIX

ROOT = Path(__file__).resolve().parents[2]
TESTS = """
import pytest

@pytest.mark.e2e
def test_gc_on_another_node():
    pytest.skip("forcing the kubelet's image GC needs the sandbox cluster")

@pytest.mark.e2e
@pytest.mark.skipif(True, reason="no toolchain")
def test_marked_skip():
    pass

@pytest.mark.e2e
@pytest.mark.xfail(reason="known", strict=False)
def test_expected_failure():
    assert False

def test_unit_skip():
    pytest.skip("not this platform")
"""


def test_an_e2e_skip_fails_and_a_unit_skip_does_not(tmp_path):
    (tmp_path / "test_sample.py").write_text(TESTS)
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "tests.e2e.skips", "-o", "markers=e2e: e2e",
         "-rA", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stdout
    # a skip in setup (a skipif mark) fails the setup: pytest counts it as an error
    assert "1 failed, 1 skipped, 1 xfailed, 1 error" in run.stdout, run.stdout
    assert f"{PREFIX}: forcing the kubelet's image GC needs the sandbox cluster" in run.stdout, (
        run.stdout
    )
    assert f"{PREFIX}: no toolchain" in run.stdout, run.stdout

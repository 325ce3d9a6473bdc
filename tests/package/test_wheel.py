"""The distribution other teams install: built with `python -m build`, installed into a fresh
virtualenv outside this repository, used from a project of their own.

That the declared dependency ranges admit the versions pinned here is checked on the wheel's
own metadata.
"""

from __future__ import annotations

import shutil
import zipfile
from email.parser import Parser
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement

from tests.package.wheel import build_wheel, install_into_fresh_venv, run
from warmstart import __version__
from warmstart.stackfile import PROJECT_ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("source"), tmp_path_factory.mktemp("dist"))


@pytest.fixture(scope="module")
def venv(built: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return install_into_fresh_venv(built, tmp_path_factory.mktemp("venv") / "venv")


@pytest.fixture(scope="module")
def consumer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Another team's project: a Pulumi.yaml and one stack file of warmstart config."""
    project = tmp_path_factory.mktemp("consumer")
    (project / "Pulumi.yaml").write_text("name: payments\nruntime: python\nstackConfigDir: env\n")
    (project / "env").mkdir()
    shutil.copy(PROJECT_ROOT / "stacks" / "Pulumi.render.yaml", project / "env" / "Pulumi.dev.yaml")
    return project


def source_modules() -> set[str]:
    """Every module of the library as the wheel must hold it: the checkout's folders mapped."""
    mapped = {
        "warmstart": "warmstart",
        "components": "warmstart/components",
        "functions": "warmstart/functions",
    }
    found = set()
    for folder, prefix in mapped.items():
        for path in (PROJECT_ROOT / folder).rglob("*.py"):
            relative = path.relative_to(PROJECT_ROOT / folder)
            if folder == "warmstart" and relative.parts[0] in ("components", "functions"):
                continue  # the checkout's symlinks to the other two
            found.add(f"{prefix}/{relative.as_posix()}")
    return found


def test_the_wheel_holds_every_module_in_one_namespace_typed_and_licensed(built):
    names = set(zipfile.ZipFile(built).namelist())
    assert {name.split("/")[0] for name in names} == {
        "warmstart",
        f"warmstart-{__version__}.dist-info",
    }
    assert source_modules() <= names
    assert {
        "warmstart/py.typed",
        "warmstart/cost/prices.json",
        f"warmstart-{__version__}.dist-info/licenses/LICENSE",
    } <= names


def test_declared_ranges_admit_the_versions_this_repository_pins(built):
    with zipfile.ZipFile(built) as wheel:
        metadata = Parser().parsestr(
            wheel.read(f"warmstart-{__version__}.dist-info/METADATA").decode()
        )
    declared = {
        Requirement(line).name.lower(): Requirement(line)
        for line in metadata.get_all("Requires-Dist")
    }
    pinned = {}
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pinned[name.lower()] = version
    assert set(declared) <= set(pinned)
    for name, requirement in declared.items():
        assert requirement.specifier.contains(pinned[name]), (name, pinned[name])
    assert metadata["License-Expression"] == "Apache-2.0"


def test_components_import_from_the_installed_package(venv, consumer):
    python = venv / "bin" / "python"
    where = run(
        python,
        "-c",
        "import warmstart.components.service.go_service as s; from warmstart.components import GoService;"
        "print(s.__file__)",
        cwd=consumer,
    )
    assert where.startswith(str(venv))


def test_the_console_script_works_on_the_project_it_runs_in(venv, consumer):
    script = venv / "bin" / "warmstart"
    assert run(script, "--version", cwd=consumer) == f"warmstart {__version__}\n"
    said = run(script, "render", "--stack", "dev", cwd=consumer / "env")
    assert f"wrote {consumer / 'rendered' / 'dev' / 'plan.json'}" in said
    manifests = yaml.safe_load_all((consumer / "rendered" / "dev" / "manifests.yaml").read_text())
    deployments = sorted(m["metadata"]["name"] for m in manifests if m["kind"] == "Deployment")
    assert deployments == ["edge-proxy", "hello", "ledger"]
    costs = run(script, "--project-dir", consumer, "cost", "--stack", "dev", cwd=venv)
    assert "$0.00" in costs

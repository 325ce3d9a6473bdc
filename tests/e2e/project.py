"""A copy of the project with its own file backend and stack, driven by the real pulumi CLI.

Neither the repository's stack files nor its state change. Needs the toolchain:
`make toolchain` (sandbox) or a pulumi CLI with the plugins.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from warmstart.stackfile import PROJECT_ROOT

COPY_IGNORES = shutil.ignore_patterns(
    ".git",
    ".venv",
    "rendered",
    "build",
    ".pulumi-state",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".hypothesis",
)


@dataclass
class Project:
    root: Path
    env: dict[str, str]
    stack: str

    def run(self, *command: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
        """A command in the project's directory, with its environment."""
        return subprocess.run(
            list(command),
            cwd=self.root,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def pulumi(self, *args: str) -> subprocess.CompletedProcess[str]:
        return self.run("pulumi", *args, "--stack", self.stack, "--non-interactive")

    def unstacked(self, *args: str) -> str:
        """A pulumi command that takes no --stack (package add, stack init), which must pass."""
        result = self.run("pulumi", *args, "--non-interactive", timeout=900)
        assert result.returncode == 0, f"pulumi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout + result.stderr

    def ok(self, *args: str) -> str:
        result = self.pulumi(*args)
        assert result.returncode == 0, f"pulumi {' '.join(args)}:\n{result.stdout}\n{result.stderr}"
        return result.stdout


def toolchain_env() -> dict[str, str]:
    script = PROJECT_ROOT / "scripts" / "toolchain.sh"
    printed = subprocess.run(
        ["bash", "-c", f'eval "$({script} env)" && env -0'],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return dict(item.split("=", 1) for item in printed.split("\0") if "=" in item)


def copy_project(tmp_path_factory: pytest.TempPathFactory, stack: str) -> Project:
    """The repository copied to a temporary directory with its own backend and `stack`."""
    root = tmp_path_factory.mktemp("e2e") / "warmstart"
    shutil.copytree(PROJECT_ROOT, root, ignore=COPY_IGNORES)
    (root / ".venv").symlink_to(PROJECT_ROOT / ".venv")
    env = toolchain_env()
    env.update(
        PATH=f"{PROJECT_ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}",
        PULUMI_BACKEND_URL=f"file://{root.parent / 'state'}",
        PULUMI_CONFIG_PASSPHRASE="local-stack-only",
    )
    (root.parent / "state").mkdir()
    if shutil.which("pulumi", path=env["PATH"]) is None:
        pytest.fail("no pulumi CLI: run `make toolchain` (sandbox) or install Pulumi")
    subprocess.run(
        ["pulumi", "stack", "init", stack, "--non-interactive"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return Project(root=root, env=env, stack=stack)

"""warmstart as another team gets it: a wheel built with `python -m build` from a copy of the
sources, installed into a fresh virtualenv outside this repository.

The wheel goes in with `--no-deps`; its dependencies come from this repository's virtualenv
through a `.pth` file, so no network is needed and nothing of the checkout is importable:
`warmstart` itself can only come from the wheel.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from warmstart.stackfile import PROJECT_ROOT

SOURCES = ("pyproject.toml", "README.md", "LICENSE", "warmstart", "components", "functions")
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


def run(*args: str | Path, cwd: Path) -> str:
    """A command that must pass; its output."""
    result = subprocess.run(
        [str(arg) for arg in args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, f"{args}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def build_wheel(source: Path, out: Path) -> Path:
    """sdist, then a wheel built from that sdist, as `python -m build` does by default."""
    for name in SOURCES:
        path = PROJECT_ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, symlinks=True, ignore=SKIP)
        else:
            shutil.copy2(path, source / name)
    run(sys.executable, "-m", "build", "--no-isolation", "--outdir", out, ".", cwd=source)
    return next(out.glob("*.whl"))


def install_into_fresh_venv(wheel: Path, root: Path) -> Path:
    """A new virtualenv at `root` with the wheel installed; its dependencies by `.pth`."""
    run(sys.executable, "-m", "venv", "--without-pip", root, cwd=root.parent)
    python = root / "bin" / "python"
    run(
        sys.executable,
        "-m",
        "pip",
        "--python",
        python,
        "install",
        "-q",
        "--no-deps",
        wheel,
        cwd=root,
    )
    site = run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])", cwd=root)
    (Path(site.strip()) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return root

"""The CLI works on the Pulumi project it runs in, not on this checkout."""

from pathlib import Path

import pytest

from warmstart import __version__
from warmstart.__main__ import main
from warmstart.stackfile import PROJECT_ROOT, Project, StackFileError, find_project


def test_the_nearest_project_file_and_its_stack_config_dir(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\nstackConfigDir: stacks\n")
    deep = tmp_path / "src" / "deeper"
    deep.mkdir(parents=True)
    assert find_project(deep) == Project(tmp_path, tmp_path / "stacks")
    assert find_project(deep).stacks_path.as_posix() == "stacks"


def test_stack_files_beside_the_project_file_by_default(tmp_path):
    (tmp_path / "Pulumi.yml").write_text("name: team\nruntime: python\n")
    assert find_project(tmp_path) == Project(tmp_path, tmp_path)


def test_this_checkout_is_a_project_like_any_other():
    assert find_project(PROJECT_ROOT / "components") == Project(
        PROJECT_ROOT, PROJECT_ROOT / "stacks"
    )


def test_no_project_is_one_line_and_exit_2(tmp_path, capsys):
    with pytest.raises(StackFileError, match=r"no Pulumi\.yaml in .* or above it"):
        find_project(tmp_path)
    assert main(["--project-dir", str(tmp_path), "cost", "--stack", "dev"]) == 2
    error = capsys.readouterr().err
    assert error == (
        f"error: no Pulumi.yaml in {tmp_path.resolve()} or above it: "
        "run in a Pulumi project or pass --project-dir\n"
    )


def test_a_broken_project_file_names_the_line(tmp_path, capsys):
    (tmp_path / "Pulumi.yaml").write_text("name: team\n  runtime: python\n")
    assert main(["--project-dir", str(tmp_path), "render", "--stack", "dev"]) == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path.resolve() / 'Pulumi.yaml'}:2:")


def test_version(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--version"])
    assert exited.value.code == 0
    assert capsys.readouterr().out == f"warmstart {__version__}\n"


def _refuse(monkeypatch, method, refused):
    """Reading `refused` fails as it would for another user's file (tests may run as root)."""
    original = getattr(Path, method)

    def guarded(path):
        if path == refused:
            raise PermissionError(13, "Permission denied", str(path))
        return original(path)

    monkeypatch.setattr(Path, method, guarded)


def test_an_unreadable_project_file_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    manifest = tmp_path.resolve() / "Pulumi.yaml"
    manifest.write_text("name: team\nruntime: python\n")
    _refuse(monkeypatch, "read_bytes", manifest)
    assert main(["--project-dir", str(tmp_path), "diff", "--base", "HEAD"]) == 2
    assert capsys.readouterr().err == f"error: {manifest}: Permission denied\n"


def test_an_unreadable_project_directory_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    _refuse(monkeypatch, "is_file", tmp_path.resolve() / "Pulumi.yaml")
    assert main(["--project-dir", str(tmp_path), "diff", "--base", "HEAD"]) == 2
    assert capsys.readouterr().err == f"error: {tmp_path.resolve()}: Permission denied\n"

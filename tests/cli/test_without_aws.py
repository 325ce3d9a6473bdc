"""The CLI on the core install (no `aws` extra, so no pulumi-aws): what needs no stack runs,
and a command that needs it (one that runs a stack's program) says in one line what to
install."""

import subprocess
import sys

from warmstart import __version__
from warmstart.stackfile import PROJECT_ROOT

# pulumi-aws made unimportable, as on a machine that installed warmstart without the extra.
WITHOUT_AWS = "import sys; sys.modules['pulumi_aws'] = None; from warmstart.__main__ import main; "


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    code = WITHOUT_AWS + f"sys.exit(main({list(args)!r}))"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=False
    )


def test_version_and_the_schema_need_no_aws():
    assert cli("--version").stdout == f"warmstart {__version__}\n"
    checked = cli("schema", "--check")
    assert (checked.returncode, checked.stdout) == (
        0,
        "schema/warmstart-stack.schema.json: up to date\n",
    )


def test_a_command_that_runs_the_program_names_the_extra_in_one_line(tmp_path):
    rendered = cli("render", "--stack", "local", "--out", str(tmp_path))
    assert rendered.returncode == 2
    assert rendered.stderr == ("error: render needs pulumi-aws: pip install 'warmstart[aws]'\n")

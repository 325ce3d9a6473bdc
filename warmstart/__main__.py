"""`warmstart [--project-dir DIR] render --stack NAME [--out DIR]`, `cost --stack NAME ...`,
`diff --base REF ...`, `promote --from A --to B`, `drift PREVIEW_JSON --stack NAME`; for
this repository, `docs [--check]`,
`examples [--check]`, `package-lambda BINARY ZIP`. Also `python -m warmstart`.

`render`, `cost`, `diff` and `promote` work on the Pulumi project they are run in (the
nearest Pulumi.yaml at or above the working directory) or the one `--project-dir` names.

Exit codes: 0 rendered, 2 the stack's configuration (or stack file) is wrong; the problems
go to stderr one per line, without a traceback, as `pulumi up` would report them.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from warmstart import __version__, api_docs, config_docs, drift
from warmstart.components.config import ConfigError
from warmstart.config_docs import replace_section
from warmstart.cost import cli as cost_cli
from warmstart.diff import cli as diff_cli
from warmstart.examples import examples, render_example, stale_files
from warmstart.harness import run_stack
from warmstart.lambda_package import package_bootstrap
from warmstart.promote import cli as promote_cli
from warmstart.render import write_render
from warmstart.stack_schema import SCHEMA_PATH, schema_text
from warmstart.stackfile import PROJECT_ROOT, StackFileError, find_project, read_stack_config

EXIT_CONFIG_ERROR = 2
AWS_EXTRA = "pulumi-aws: pip install 'warmstart[aws]'"


# The commands that read a project's stack files.
PROJECT_COMMANDS = frozenset({"render", "cost", "diff", "promote"})


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command in PROJECT_COMMANDS:
        try:
            args.project = find_project(args.project_dir or Path.cwd())
        except StackFileError as error:
            print(f"error: {error}", file=sys.stderr)
            return EXIT_CONFIG_ERROR
    handlers = {
        "render": _render,
        "cost": cost_cli.run,
        "diff": diff_cli.run,
        "promote": promote_cli.run,
        "drift": drift.run,
        "docs": lambda args: _docs(check=args.check),
        "schema": lambda args: _schema(check=args.check),
        "examples": lambda args: _examples(check=args.check),
        "package-lambda": _package,
    }
    try:
        return handlers[args.command](args)
    except ModuleNotFoundError as error:
        if error.name != "pulumi_aws":
            raise
        print(
            f"error: {args.command} needs {AWS_EXTRA}",
            file=sys.stderr,
        )
        return EXIT_CONFIG_ERROR


def build_parser() -> argparse.ArgumentParser:
    """Every command and its arguments (the workflows' command lines are tested against it)."""
    parser = argparse.ArgumentParser(prog="warmstart")
    parser.add_argument("--version", action="version", version=f"warmstart {__version__}")
    parser.add_argument(
        "--project-dir",
        type=Path,
        help="the Pulumi project (default: the nearest Pulumi.yaml at or above this directory)",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    render = commands.add_parser("render", help="render a stack offline under the mock runtime")
    render.add_argument("--stack", required=True, help="stack name: stacks/Pulumi.<stack>.yaml")
    render.add_argument("--out", type=Path, help="output directory (default: rendered/<stack>)")
    docs = commands.add_parser(
        "docs", help="rewrite the generated references in docs/ (configuration, components)"
    )
    docs.add_argument("--check", action="store_true", help="fail if either is out of date")
    schema = commands.add_parser("schema", help="rewrite the stack files' JSON Schema")
    schema.add_argument("--check", action="store_true", help="fail if the schema is out of date")
    example = commands.add_parser("examples", help="re-render examples/*/expected")
    example.add_argument("--check", action="store_true", help="fail if any expected/ is stale")
    package = commands.add_parser("package-lambda", help="zip a bootstrap binary deterministically")
    package.add_argument("binary", type=Path)
    package.add_argument("zip", type=Path)
    cost_cli.add_parser(commands)
    diff_cli.add_parser(commands)
    promote_cli.add_parser(commands)
    drift.add_parser(commands)
    return parser


def _render(args: argparse.Namespace) -> int:
    out_dir = args.out or args.project.root / "rendered" / args.stack
    try:
        stack = read_stack_config(args.stack, args.project.stacks_dir)
        run = run_stack(stack, args.project.root)
    except (ConfigError, StackFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR
    for path in write_render(run, args.stack, out_dir):
        print(f"wrote {path}")
    return 0


def _package(args: argparse.Namespace) -> int:
    size = package_bootstrap(args.binary, args.zip)
    print(f"wrote {args.zip} ({size} bytes)")
    return 0


# The generated references: what, where, and between which markers.
GENERATED_DOCS = (
    (
        "configuration reference",
        config_docs.PAGE,
        config_docs.reference,
        config_docs.BEGIN,
        config_docs.END,
    ),
    ("component reference", api_docs.PAGE, api_docs.reference, api_docs.BEGIN, api_docs.END),
)


def _docs(*, check: bool) -> int:
    stale = 0
    for what, page, reference, begin, end in GENERATED_DOCS:
        current = (PROJECT_ROOT / page).read_text()
        fresh = replace_section(current, reference(), begin, end)
        if check:
            stale += fresh != current
            state = "up to date" if fresh == current else "out of date: run make docs"
            print(f"{page}: {what} {state}")
        else:
            if fresh != current:
                (PROJECT_ROOT / page).write_text(fresh)
            print(f"{'rewrote' if fresh != current else 'unchanged:'} {page} {what}")
    return 1 if stale else 0


def _schema(*, check: bool) -> int:
    path = PROJECT_ROOT / SCHEMA_PATH
    current = path.read_text() if path.is_file() else ""
    if check:
        fresh = current == schema_text()
        print(f"{SCHEMA_PATH}: {'up to date' if fresh else 'out of date: run make schema'}")
        return 0 if fresh else 1
    path.parent.mkdir(exist_ok=True)
    path.write_text(schema_text())
    print(f"{'unchanged:' if current == schema_text() else 'wrote'} {SCHEMA_PATH}")
    return 0


def _examples(*, check: bool) -> int:
    stale = 0
    for example in examples():
        if check:
            with tempfile.TemporaryDirectory() as scratch:
                files = stale_files(example, Path(scratch))
            stale += bool(files)
            print(f"{example.name}: {'stale ' + ', '.join(files) if files else 'up to date'}")
        else:
            for path in render_example(example, example.expected):
                print(f"wrote {path.relative_to(PROJECT_ROOT)}")
    return 1 if stale else 0


def entry_point() -> None:
    """The `warmstart` console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry_point()

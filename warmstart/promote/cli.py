"""`python -m warmstart promote --from SOURCE --to TARGET [--dry-run]`.

The source's digests come from what it runs: `pulumi stack output services` where a backend
is reachable; otherwise its stack file's pinned images, and the output says which. Images
whose repository differs in the target are copied first, by digest; then the target stack
file is rewritten, validated as `pulumi up` would, and the diff shown. Run twice, the second
run changes nothing.
"""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from warmstart.components.config import ConfigError, parse_config
from warmstart.promote.plan import Promotion, plan_promotion, rewrite
from warmstart.promote.registry import Client, RegistryError, copy_image
from warmstart.stackfile import Project, StackFileError, read_stack_config, stack_file

EXIT_REFUSED = 2


def add_parser(commands: argparse._SubParsersAction) -> None:
    promote = commands.add_parser("promote", help="copy the images a stack runs into another")
    promote.add_argument("--from", dest="source", required=True, help="stack the images run in")
    promote.add_argument("--to", dest="target", required=True, help="stack file to write")
    promote.add_argument("--dry-run", action="store_true", help="show the diff, copy nothing")


def run(args: argparse.Namespace) -> int:
    project: Project = args.project
    try:
        runs, provenance = _source_runs(project, args.source)
        plan = plan_promotion(
            args.source, runs, _images(project, args.source), _images(project, args.target)
        )
    except (StackFileError, ValueError) as error:
        return _refuse([str(error)])
    print(f"{args.source}'s digests: {provenance}")
    for note in plan.notes:
        print(f"note: {note}")
    if plan.problems:
        return _refuse(list(plan.problems))
    if not plan.changes:
        print(f"{args.target} already runs {args.source}'s digests: nothing to change")
        return 0
    path = stack_file(args.target, project.stacks_dir)
    before = path.read_text()
    try:
        after = rewrite(before, plan.changes)
        _validate(args.target, after)
    except (ValueError, ConfigError, StackFileError) as error:
        return _refuse([str(error)])
    name = str(path.relative_to(project.root))
    diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), name, name)
    sys.stdout.writelines(diff)
    if args.dry_run:
        copies = sum(1 for promotion in plan.changes if promotion.copy_from)
        print(f"dry run: {copies} images would be copied, {name} not written")
        return 0
    return _copy_and_write(plan.changes, path, after, project)


def _copy_and_write(
    promotions: tuple[Promotion, ...], path: Path, text: str, project: Project
) -> int:
    """Images first, the stack file last: a failed copy leaves the target file as it was."""
    client = Client()
    for promotion in promotions:
        if promotion.copy_from:
            try:
                copied = copy_image(client, promotion.copy_from, promotion.after)
            except (RegistryError, OSError) as error:
                return _refuse([f"{promotion.service}: copying {promotion.copy_from}: {error}"])
            print(f"{promotion.service}: copied {promotion.copy_from} -> {copied}")
    path.write_text(text)
    print(f"wrote {path.relative_to(project.root)}")
    return 0


def _refuse(problems: list[str]) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    return EXIT_REFUSED


def _images(project: Project, stack: str) -> dict[str, str | None]:
    """service -> its `image:` in the stack file (None when it is built from source)."""
    config = read_stack_config(stack, project.stacks_dir)
    try:
        services = parse_config(config.values, config.secret_keys).services
    except ConfigError as error:
        raise ValueError(f"{stack}: {error}") from None
    return {service.name: service.image for service in services}


def _source_runs(project: Project, stack: str) -> tuple[dict[str, str], str]:
    """service -> the reference the stack runs, and where that was read."""
    outputs, why_not = _outputs(project, stack)
    if outputs is not None:
        return {name: entry["image"] for name, entry in outputs.items()}, "read from its outputs"
    pinned = {
        name: image for name, image in _images(project, stack).items() if image and "@" in image
    }
    built = [name for name, image in _images(project, stack).items() if image is None]
    if built:
        raise ValueError(
            f"{stack} builds {', '.join(built)} from source: their digests are only in its "
            f"outputs, and those cannot be read ({why_not})"
        )
    return pinned, f"read from its stack file, not its outputs ({why_not})"


def _outputs(project: Project, stack: str) -> tuple[dict | None, str]:
    if shutil.which("pulumi") is None:
        return None, "no pulumi CLI"
    result = subprocess.run(
        ["pulumi", "stack", "output", "services", "--json", "--stack", stack, "--non-interactive"],
        cwd=project.root,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pulumi stack output failed"])[-1]
        return None, last
    return json.loads(result.stdout), ""


def _validate(stack: str, text: str) -> None:
    """The rewritten file parses as a stack file and a valid config, as `pulumi up` reads it."""
    with tempfile.TemporaryDirectory() as scratch:
        candidate = Path(scratch) / stack_file(stack).name
        candidate.write_text(text)
        config = read_stack_config(stack, Path(scratch))
        parse_config(config.values, config.secret_keys)

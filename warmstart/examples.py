"""Per-feature examples with their expected render, so a review shows what warmstart produces.

Each `examples/<feature>/` holds a stack file (`Pulumi.example.yaml`), a README and
`expected/` (manifests.yaml and plan.json, rendered offline). A change to any component
changes some `expected/` file in the same pull request, and a test fails until it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from warmstart.harness import run_stack
from warmstart.render import write_render
from warmstart.stackfile import PROJECT_ROOT, read_stack_config

EXAMPLES_DIR = PROJECT_ROOT / "examples"
STACK = "example"
EXPECTED = "expected"


@dataclass(frozen=True)
class Example:
    name: str
    directory: Path

    @property
    def expected(self) -> Path:
        return self.directory / EXPECTED


def examples(root: Path = EXAMPLES_DIR) -> list[Example]:
    """Every example directory that has a stack file, by name."""
    return [
        Example(path.parent.name, path.parent)
        for path in sorted(root.glob(f"*/Pulumi.{STACK}.yaml"))
    ]


def render_example(example: Example, out_dir: Path) -> list[Path]:
    """Render the example's stack exactly as `python -m warmstart render` renders a stack; its
    paths (build contexts) are this repository's, as its README runs it here."""
    stack = read_stack_config(STACK, example.directory)
    return write_render(run_stack(stack, PROJECT_ROOT), STACK, out_dir)


def stale_files(example: Example, scratch: Path) -> list[str]:
    """Files of `expected/` that differ from a fresh render (or are missing)."""
    fresh = render_example(example, scratch)
    return [
        path.name
        for path in fresh
        if not (example.expected / path.name).is_file()
        or (example.expected / path.name).read_bytes() != path.read_bytes()
    ]

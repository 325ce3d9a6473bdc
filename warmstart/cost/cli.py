"""`python -m warmstart cost --stack NAME [--json] [--compare OTHER] [--claim]`."""

from __future__ import annotations

import argparse
import json
import sys

from warmstart.components.config import ConfigError
from warmstart.cost import PricedStack, priced_stack
from warmstart.cost.claim import claim, claim_text
from warmstart.cost.estimate import Difference
from warmstart.cost.prices import PriceError
from warmstart.cost.report import as_json, difference_json, difference_text, text
from warmstart.stackfile import Project, StackFileError, read_stack_config

EXIT_CONFIG_ERROR = 2


def add_parser(commands: argparse._SubParsersAction) -> None:
    cost = commands.add_parser("cost", help="monthly estimate of a stack from its offline render")
    cost.add_argument("--stack", required=True, help="stack name: stacks/Pulumi.<stack>.yaml")
    cost.add_argument("--json", action="store_true", help="machine-readable output")
    cost.add_argument("--compare", metavar="OTHER", help="the change from stack OTHER to --stack")
    cost.add_argument(
        "--claim", action="store_true", help="the articles' 47%% claim: on-demand x86 baseline"
    )


def run(args: argparse.Namespace) -> int:
    try:
        stack = _load(args.project, args.stack)
        other = _load(args.project, args.compare) if args.compare else None
        if args.claim:
            return _claim(stack, args.stack, as_machine=args.json)
        current = stack.estimate()
        recorded = stack.prices.recorded if stack.prices else None
        if other is None:
            _emit(args.json, as_json(current, recorded), text(current, recorded))
        else:
            difference = Difference(other.estimate(), current)
            _emit(args.json, difference_json(difference), difference_text(difference))
        return 0
    except (ConfigError, StackFileError, PriceError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_CONFIG_ERROR


def _load(project: Project, name: str) -> PricedStack:
    return priced_stack(read_stack_config(name, project.stacks_dir))


def _claim(stack: PricedStack, name: str, *, as_machine: bool) -> int:
    if stack.prices is None:
        raise PriceError(f"{name} has no AWS resources: the claim compares AWS shapes")
    result = claim(stack.document, stack.config.cost, stack.prices)
    steps = [
        {"step": step.label, "monthly": round(step.monthly, 2), "change": round(step.change, 2)}
        for step in result.steps
    ]
    machine = {
        "baseline": round(result.baseline, 2),
        "steps": steps,
        "saving": round(result.saving, 4),
    }
    _emit(as_machine, machine, claim_text(name, result))
    return 0


def _emit(as_machine: bool, machine: dict, human: str) -> None:
    print(json.dumps(machine, indent=2) if as_machine else human, end="\n" if as_machine else "")

"""The program-evaluation benchmark compares like with like: its bare-SDK side registers
every Kubernetes object the warmstart program registers, with the same inputs."""

import json

from bench.program_eval import bare_program, stack_with
from warmstart.harness import run_program, run_stack
from warmstart.stackfile import StackConfig


def objects(run):
    return sorted(
        (r.type, r.name, json.dumps(r.inputs, sort_keys=True))
        for r in run.resources
        if r.type.startswith("kubernetes:")
    )


def test_the_bare_side_registers_the_very_same_objects():
    reference = run_stack(stack_with(3))
    empty = StackConfig(stack="bench", values={}, secret_keys=frozenset())
    bare = run_program(bare_program(reference), empty)
    assert objects(bare) == objects(reference)
    # the namespace, six objects per service, the namespace's default-deny policy
    assert len(objects(reference)) == 1 + 3 * 6 + 1

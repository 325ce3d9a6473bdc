"""The policy pack itself, spoken to over the analyzer protocol as the engine would.

Needs the pack's virtualenv (`make policy-venv`, part of `make test`).
"""

import json
import subprocess

import pytest

from policy.rules import RULES
from warmstart.harness import run_stack
from warmstart.stackfile import PROJECT_ROOT, read_stack_config

PACK = PROJECT_ROOT / "policy"
PYTHON = PACK / ".venv" / "bin" / "python"
CLIENT = PROJECT_ROOT / "tests" / "policy" / "analyzer_client.py"


def analyze(resources, config=None):
    if not PYTHON.exists():
        pytest.fail("no policy/.venv: run make policy-venv")
    command = [str(PYTHON), str(CLIENT), str(PACK)]
    if config:
        command += ["--config", str(PACK / config)]
    result = subprocess.run(
        command,
        input=json.dumps(resources),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def prod():
    run = run_stack(read_stack_config("prod"))
    return [
        {"type": r.type, "name": r.name, "urn": r.urn, "inputs": r.inputs, "protect": r.protect}
        for r in run.resources
        if r.custom
    ]


def test_the_pack_offers_every_rule_as_mandatory(prod):
    report = analyze([])
    assert report["pack"] == "warmstart"
    assert report["policies"] == dict.fromkeys(RULES, "mandatory")


def test_prod_as_rendered_passes_with_the_production_config(prod):
    assert analyze(prod, "production.json")["diagnostics"] == []


def test_violations_come_back_mandatory_with_the_rules_message(prod):
    changed = json.loads(json.dumps(prod))
    for resource in changed:
        if resource["type"] == "kubernetes:apps/v1:Deployment" and resource["name"] == "hello":
            resource["inputs"]["spec"]["template"]["spec"]["containers"][0]["image"] = (
                "r.example/hello:latest"
            )
        if resource["type"] == "aws:kms/key:Key":
            resource["protect"] = False
    # pulumi-policy reports "<policy description>\n<the rule's message>"
    found = {
        (d["policy"], d["message"].removeprefix(RULES[d["policy"]][0] + "\n"), d["enforcement"])
        for d in analyze(changed, "production.json")["diagnostics"]
    }
    assert found == {
        (
            "no-latest-tags",
            "hello/hello: image r.example/hello:latest has no version: use a tag or a digest, never latest",
            "mandatory",
        ),
        (
            "images-by-digest",
            "hello/hello: production runs images by digest, not r.example/hello:latest",
            "mandatory",
        ),
        (
            "stateful-protected",
            "cluster-secrets: aws:kms/key:Key holds state and must be protected in production",
            "mandatory",
        ),
    }
    # without the production config, only the rule for every stack fires
    assert {d["policy"] for d in analyze(changed)["diagnostics"]} == {"no-latest-tags"}

"""The stack files' JSON Schema: current, referenced by every stack file, and right about
what it accepts (every real stack file) and refuses (what the program would refuse)."""

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import best_match

from warmstart.__main__ import main
from warmstart.stack_schema import SCHEMA_PATH, schema_text
from warmstart.stackfile import PROJECT_ROOT, load_document

STACK_FILES = sorted(PROJECT_ROOT.glob("stacks/Pulumi.*.yaml")) + sorted(
    PROJECT_ROOT.glob("examples/*/Pulumi.*.yaml")
)


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json.loads((PROJECT_ROOT / SCHEMA_PATH).read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


SECRET_BRANCH = {"$ref": "#/$defs/SecretValue"}


def unwrap_secret(error):
    """What is wrong with the value itself, for a key whose value could also be a secret."""
    if error.validator == "anyOf" and SECRET_BRANCH in error.validator_value:
        own = [e for e in error.context if e.relative_schema_path[0] == 0]
        return best_match(own) if own else error
    return error


def problems(validator, document) -> list[str]:
    """One line per problem, where an editor would show it."""
    found = (unwrap_secret(error) for error in validator.iter_errors(document))
    return sorted(f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in found)


def test_the_checked_in_schema_is_current(capsys):
    assert (PROJECT_ROOT / SCHEMA_PATH).read_text() == schema_text()
    assert main(["schema", "--check"]) == 0
    assert capsys.readouterr().out == f"{SCHEMA_PATH}: up to date\n"


@pytest.mark.parametrize("path", STACK_FILES, ids=lambda p: str(p.relative_to(PROJECT_ROOT)))
def test_every_stack_file_names_the_schema_and_passes_it(path: Path, validator):
    first = path.read_text().splitlines()[0]
    relative = Path("../" * (len(path.relative_to(PROJECT_ROOT).parts) - 1)) / SCHEMA_PATH
    assert first == f"# yaml-language-server: $schema={relative.as_posix()}"
    assert (path.parent / relative).resolve() == (PROJECT_ROOT / SCHEMA_PATH).resolve()
    assert problems(validator, load_document(path)) == []


@pytest.fixture
def dev() -> dict:
    return load_document(PROJECT_ROOT / "stacks" / "Pulumi.dev.yaml")


def test_other_namespaces_and_secrets_pass(validator, dev):
    document = copy.deepcopy(dev)
    document["config"]["aws:profile"] = "team"
    document["config"]["warmstart:dockerHubCredentials"] = {"secure": "v1:abc"}
    assert problems(validator, document) == []


def test_what_the_program_refuses_the_editor_flags(validator, dev):
    document = copy.deepcopy(dev)
    config = document["config"]
    config["warmstart:servcies"] = []
    config["warmstart:services"][0]["startup"] = {"budgetSecond": 3}
    config["warmstart:production"] = "yes"
    found = problems(validator, document)
    assert found == [
        "config.warmstart:production: 'yes' is not of type 'boolean'",
        "config.warmstart:services.0.startup: Additional properties are not allowed "
        "('budgetSecond' was unexpected)",
        "config: 'warmstart:servcies' is not valid under any of the given schemas",
    ]

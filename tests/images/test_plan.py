"""Where built images are pushed, and what makes their builds reproducible. Pure."""

import json

import pytest

from warmstart.components.config.images import BuildConfig, RegistryConfig
from warmstart.components.image_reference import ecr_registry
from warmstart.components.images.plan import (
    PushTarget,
    build_args,
    build_inputs,
    credential_field,
    push_target,
)

ECR = ecr_registry("123456789012", "eu-west-1")
DIGEST = "sha256:" + "cd" * 32


def test_a_configured_registry_takes_builds():
    registry = RegistryConfig(server="127.0.0.1:5000", repository_prefix="team/apps")
    target = push_target("api", registry=registry, ecr_registry=None, ecr_prefix="warmstart")
    assert target == PushTarget("127.0.0.1:5000", "127.0.0.1:5000/team/apps/api")
    assert target.pinned(DIGEST) == f"127.0.0.1:5000/team/apps/api@{DIGEST}"


def test_without_one_builds_go_to_the_mirrors_ecr_repository():
    target = push_target("api", registry=None, ecr_registry=ECR, ecr_prefix="warmstart")
    assert target.repository == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/warmstart/api"
    assert target.registry == "123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def test_a_build_without_a_registry_is_a_programming_error():
    with pytest.raises(ValueError, match="no registry to push api to"):
        push_target("api", registry=None, ecr_registry=None, ecr_prefix="warmstart")


def test_builds_are_stamped_with_a_fixed_time():
    build = BuildConfig(context="services", target="hello", args={"VERSION": "1.2"})
    assert build_args(build) == {"VERSION": "1.2", "SOURCE_DATE_EPOCH": "0"}
    assert build_inputs(build) == {
        "context": {"location": "services"},
        "dockerfile": {"location": "services/Dockerfile"},
        "platforms": ["linux/amd64", "linux/arm64"],
        "build_args": {"VERSION": "1.2", "SOURCE_DATE_EPOCH": "0"},
        "target": "hello",
    }


def test_a_named_dockerfile_and_no_target():
    build = BuildConfig(context="app", dockerfile="build/app.Dockerfile", platforms=["linux/arm64"])
    inputs = build_inputs(build)
    assert inputs["dockerfile"] == {"location": "build/app.Dockerfile"}
    assert inputs["platforms"] == ["linux/arm64"]
    assert "target" not in inputs


def test_credential_fields():
    text = json.dumps({"username": "robot", "password": "s3cret"})
    assert credential_field(text, "username") == "robot"
    assert credential_field(text, "password") == "s3cret"
    placeholder = "<secret: encrypted in the stack file>"
    assert credential_field(placeholder, "password") == placeholder

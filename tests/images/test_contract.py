"""ServiceImage used directly: a build written as a stack file writes it, checked by the same
rules before anything registers, with what the push needs coming through resource options."""

import pulumi
import pulumi_kubernetes as k8s
import pytest

from tests.conftest import registered
from warmstart.components.config import ConfigError
from warmstart.components.images.plan import PushTarget
from warmstart.components.images.service_image import ServiceImage, ServiceImageArgs

IMAGE = "docker-build:index:Image"
TARGET = PushTarget(registry="registry.example.com", repository="registry.example.com/team/api")


def image_args(**build) -> ServiceImageArgs:
    return ServiceImageArgs(build={"context": "services", **build}, target=TARGET)


def test_a_mapping_in_the_stack_files_shape_builds_and_pins_by_digest():
    def program():
        ServiceImage("api", image_args(target="hello", platforms=["linux/arm64"]))

    image = next(r for r in registered(program) if r.type == IMAGE)
    assert image.inputs["target"] == "hello"
    assert image.inputs["platforms"] == ["linux/arm64"]
    assert image.inputs["exports"][0]["image"]["names"] == [TARGET.repository]


def test_the_push_waits_for_what_the_component_depends_on():
    def program():
        repository = k8s.core.v1.Namespace("repository")
        ServiceImage("api", image_args(), opts=pulumi.ResourceOptions(depends_on=[repository]))

    resources = registered(program)
    repository = next(r.urn for r in resources if r.type == "kubernetes:core/v1:Namespace")
    assert repository in next(r for r in resources if r.type == IMAGE).depends_on


def test_two_images_of_one_build_coexist_by_component_name():
    def program():
        for name in ("api-amd64", "api-arm64"):
            ServiceImage(name, image_args())

    names = sorted(r.name for r in registered(program) if r.type == IMAGE)
    assert names == ["api-amd64", "api-arm64"]


# One build breaking every cross-field rule of a stack file's `build:`.
BROKEN = {
    "context": "../elsewhere",
    "args": {"SOURCE_DATE_EPOCH": "1", "bad-name": "x"},
    "platforms": ["linux/amd64", "linux/amd64"],
}


def problems_of(build: dict) -> ConfigError:
    with pytest.raises(ConfigError) as raised:
        ServiceImage("api", ServiceImageArgs(build=build, target=TARGET))
    return raised.value


def test_every_rule_of_a_stack_files_build_applies():
    error = problems_of({**BROKEN, "cache": "max"})
    assert str(error).startswith("invalid ServiceImage api args, 1 problem:")
    assert [p.describe() for p in error.problems] == [
        "build.cache: unknown key (allowed: args, context, dockerfile, platforms, target)"
        ' (got "max")'
    ]


def test_cross_field_rules_name_each_problem():
    assert [p.describe() for p in problems_of(BROKEN).problems] == [
        'build.context: must be a path inside the project (got "../elsewhere")',
        "build.args.SOURCE_DATE_EPOCH: set by warmstart for reproducible digests",
        "build.args.bad-name: not a valid build argument name",
        "build.platforms: must be distinct (got ['linux/amd64', 'linux/amd64'])",
    ]

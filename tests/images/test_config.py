"""`build:`, `warmstart:registry` and `registryCredentials`: every wrong value is one problem line."""

from tests.conftest import BASE_SERVICE, service, stack_values
from tests.conftest import config_problems as problems
from warmstart.components.config import parse_config
from warmstart.stackfile import config_from_mapping

BUILD = {"context": "services", "target": "hello"}
REGISTRY = {"server": "127.0.0.1:5000"}
AWS = {"accountId": "123456789012", "region": "eu-west-1"}


def built(**overrides):
    return {**{k: v for k, v in BASE_SERVICE.items() if k != "image"}, "build": BUILD, **overrides}


def test_a_build_with_a_registry_is_accepted():
    config = parse_config(config_from_mapping("t", stack_values(built(), registry=REGISTRY)).values)
    assert config.services[0].image is None
    assert config.services[0].build is not None
    assert config.services[0].build.platforms == ["linux/amd64", "linux/arm64"]
    assert config.registry is not None
    assert config.registry.repository_prefix == "warmstart"


def test_exactly_one_of_image_or_build():
    neither = {k: v for k, v in BASE_SERVICE.items() if k != "image"}
    both = {**BASE_SERVICE, "name": "other", "build": BUILD}
    assert problems(stack_values(neither, both, registry=REGISTRY)) == [
        'warmstart:services[0]: set exactly one of image (prebuilt) or build (got "neither")',
        'warmstart:services[1]: set exactly one of image (prebuilt) or build (got "both")',
    ]


def test_a_build_needs_somewhere_to_push():
    assert problems(stack_values(built())) == [
        "warmstart:registry: build: needs somewhere to push: warmstart:registry.server, or "
        "warmstart:mirror.enabled with kind ecr (the service's ECR repository)"
    ]


def test_with_the_mirror_builds_go_to_ecr_and_a_registry_is_refused():
    assert problems(stack_values(built(), aws=AWS, mirror={"enabled": True})) == []
    assert problems(
        stack_values(built(), aws=AWS, mirror={"enabled": True}, registry=REGISTRY)
    ) == [
        "warmstart:registry: the mirror's ECR repositories receive builds on this stack: remove it"
    ]


def test_build_inputs_are_checked():
    bad = built(
        build={
            "context": "../elsewhere",
            "dockerfile": "/etc/Dockerfile",
            "args": {"SOURCE_DATE_EPOCH": "1", "bad-name": "x"},
            "platforms": ["linux/arm64", "linux/arm64"],
            "cache": True,
        }
    )
    assert problems(stack_values(bad, registry=REGISTRY)) == [
        "warmstart:services[0].build.cache: unknown key (allowed: args, context, dockerfile, "
        "platforms, target) (got true)",
    ]
    bad["build"].pop("cache")
    assert problems(stack_values(bad, registry=REGISTRY)) == [
        'warmstart:services[0].build.context: must be a path inside the project (got "../elsewhere")',
        "warmstart:services[0].build.dockerfile: must be a path inside the project "
        '(got "/etc/Dockerfile")',
        "warmstart:services[0].build.args.SOURCE_DATE_EPOCH: set by warmstart for reproducible "
        "digests",
        "warmstart:services[0].build.args.bad-name: not a valid build argument name",
        "warmstart:services[0].build.platforms: must be distinct "
        "(got ['linux/arm64', 'linux/arm64'])",
    ]


def test_platforms_and_registry_hosts_are_checked():
    bad = built(build={"context": "services", "platforms": ["windows/amd64"]})
    assert problems(stack_values(bad, registry={"server": "https://registry"})) == [
        "warmstart:registry.server: must match ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?$ "
        '(got "https://registry")',
        "warmstart:services[0].build.platforms[0]: must be one of 'linux/amd64' or "
        "'linux/arm64' (got \"windows/amd64\")",
    ]


def test_registry_credentials_are_a_secret_of_the_right_shape():
    plain = stack_values(built(), registry=REGISTRY, registryCredentials='{"username": "u"}')
    assert problems(plain) == [
        "warmstart:registryCredentials: must be a secret: pulumi config set --secret "
        "warmstart:registryCredentials ...",
        'warmstart:registryCredentials: must be JSON {"username": ..., "password": ...} '
        '(got "(secret)")',
    ]
    secret = stack_values(built(), registry=REGISTRY, registryCredentials={"secure": "v1:abc"})
    assert problems(secret) == []
    orphan = stack_values(service(), registryCredentials={"secure": "v1:abc"})
    assert problems(orphan) == [
        'warmstart:registryCredentials: set, but warmstart:registry is not (got "(set)")'
    ]


def test_the_sleep_image_is_prebuilt_or_built_not_both():
    prewarm = {"enabled": True, "sleepImage": "r/sleep:1", "sleepBuild": {"context": "services"}}
    assert problems(stack_values(service(), prewarm=prewarm, registry=REGISTRY)) == [
        "warmstart:prewarm.sleepBuild: set sleepImage or sleepBuild, not both"
    ]
    prewarm.pop("sleepImage")
    assert problems(stack_values(service(), prewarm=prewarm, registry=REGISTRY)) == []
    assert problems(stack_values(service(), prewarm=prewarm)) == [
        "warmstart:registry: build: needs somewhere to push: warmstart:registry.server, or "
        "warmstart:mirror.enabled with kind ecr (the service's ECR repository)"
    ]

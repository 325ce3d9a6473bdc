import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from warmstart.components.image_reference import (
    ImageReference,
    ImageReferenceError,
    MirrorTarget,
    is_digest_pinned,
    mirror_reference,
    parse_reference,
)

REGISTRY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com"
ALL = {
    "ecr-public": "ecr-public",
    "k8s": "k8s",
    "quay": "quay",
    "docker-hub": "docker-hub",
    "ghcr": "ghcr",
}
TARGET = MirrorTarget.for_account("123456789012", "eu-west-1", ALL)
DIGEST = "sha256:" + "0123456789abcdef" * 4


@pytest.mark.parametrize(
    ("reference", "mirrored"),
    [
        # Docker Hub official images gain library/, every spelling of Docker Hub is one upstream
        ("nginx", f"{REGISTRY}/docker-hub/library/nginx"),
        ("nginx:1.27", f"{REGISTRY}/docker-hub/library/nginx:1.27"),
        ("docker.io/nginx:1.27", f"{REGISTRY}/docker-hub/library/nginx:1.27"),
        ("index.docker.io/library/nginx", f"{REGISTRY}/docker-hub/library/nginx"),
        ("registry-1.docker.io/grafana/grafana:11", f"{REGISTRY}/docker-hub/grafana/grafana:11"),
        ("acme/api:2", f"{REGISTRY}/docker-hub/acme/api:2"),
        # the other upstreams, tags, digests, tag + digest
        ("registry.k8s.io/pause:3.10", f"{REGISTRY}/k8s/pause:3.10"),
        ("registry.k8s.io/coredns/coredns:v1.12.0", f"{REGISTRY}/k8s/coredns/coredns:v1.12.0"),
        (
            "quay.io/prometheus/node-exporter@" + DIGEST,
            f"{REGISTRY}/quay/prometheus/node-exporter@{DIGEST}",
        ),
        (
            "public.ecr.aws/eks/aws-load-balancer-controller:v2.11.0",
            f"{REGISTRY}/ecr-public/eks/aws-load-balancer-controller:v2.11.0",
        ),
        ("ghcr.io/acme/api:1.0@" + DIGEST, f"{REGISTRY}/ghcr/acme/api:1.0@{DIGEST}"),
        # unchanged: already mirrored, own registry, no enabled upstream, registry with a port
        (f"{REGISTRY}/docker-hub/library/nginx:1.27", f"{REGISTRY}/docker-hub/library/nginx:1.27"),
        (f"{REGISTRY}/warmstart/hello:0.1.0", f"{REGISTRY}/warmstart/hello:0.1.0"),
        ("registry.gitlab.com/acme/api:1", "registry.gitlab.com/acme/api:1"),
        ("localhost:5000/api:dev", "localhost:5000/api:dev"),
        ("registry.local:5000/team/api:1", "registry.local:5000/team/api:1"),
        ("quay.io:443/org/app:1", "quay.io:443/org/app:1"),
        ("[::1]:5000/api:1", "[::1]:5000/api:1"),
    ],
)
def test_rewrites(reference, mirrored):
    assert mirror_reference(reference, TARGET) == mirrored


def test_only_enabled_upstreams_are_rewritten():
    k8s_only = MirrorTarget.for_account("123456789012", "eu-west-1", {"k8s": "cache/k8s"})
    assert (
        mirror_reference("registry.k8s.io/pause:3.10", k8s_only)
        == f"{REGISTRY}/cache/k8s/pause:3.10"
    )
    assert mirror_reference("nginx:1.27", k8s_only) == "nginx:1.27"
    assert mirror_reference("quay.io/a/b:1", k8s_only) == "quay.io/a/b:1"


PROXIES = MirrorTarget.for_endpoints(
    {
        "127.0.0.1:5000": "127.0.0.1:5001",
        "docker-hub": "harbor.corp/hub",
        "index.docker.io": "harbor.corp/hub",
        "k8s": "mirror.corp:5000/k8s/cache",
    }
)


@pytest.mark.parametrize(
    ("reference", "mirrored"),
    [
        # a Distribution proxy for one registry: same path, other host, same digest
        (f"127.0.0.1:5000/warmstart/hello@{DIGEST}", f"127.0.0.1:5001/warmstart/hello@{DIGEST}"),
        # a Harbor proxy-cache project keeps Docker Hub's library/ in the path
        ("nginx:1.27", "harbor.corp/hub/library/nginx:1.27"),
        ("registry.k8s.io/pause:3.10", "mirror.corp:5000/k8s/cache/pause:3.10"),
        # the mirror's own host, and registries without a mirror, stay as they are
        ("127.0.0.1:5001/warmstart/hello:1", "127.0.0.1:5001/warmstart/hello:1"),
        ("quay.io/org/app:1", "quay.io/org/app:1"),
    ],
)
def test_rewrites_to_registries_run_as_mirrors(reference, mirrored):
    assert mirror_reference(reference, PROXIES) == mirrored


def test_no_mirror_leaves_everything_alone():
    assert mirror_reference("nginx", None) == "nginx"
    assert mirror_reference("not a reference!", None) == "not a reference!"


@pytest.mark.parametrize(
    ("text", "parsed"),
    [
        ("nginx", ImageReference("docker.io", "library/nginx", None, None)),
        ("a/b/c:t@" + DIGEST, ImageReference("docker.io", "a/b/c", "t", DIGEST)),
        ("localhost/app", ImageReference("localhost", "app", None, None)),
        ("Registry/app", ImageReference("Registry", "app", None, None)),
        (
            "host.io:5000/a_b/c__d/e-f:v1.0-rc.1",
            ImageReference("host.io:5000", "a_b/c__d/e-f", "v1.0-rc.1", None),
        ),
    ],
)
def test_parse(text, parsed):
    assert parse_reference(text) == parsed


@pytest.mark.parametrize(
    "text", ["", "UPPER", "nginx:", "nginx@sha256:12", "a//b", "-a/b", "a/b:t:t", ":tag"]
)
def test_rejects(text):
    with pytest.raises(ImageReferenceError, match="not an image reference"):
        parse_reference(text)


def test_digest_pinning():
    assert is_digest_pinned("repo/app@" + DIGEST)
    assert is_digest_pinned("repo/app:1@" + DIGEST)
    assert not is_digest_pinned("repo/app:1")
    assert not is_digest_pinned("repo/app@sha256:" + "A" * 64)  # digests are lower-case hex
    assert not is_digest_pinned("not a reference")


components = st.from_regex(r"[a-z0-9]+([._-][a-z0-9]+)?", fullmatch=True)
tags = st.none() | st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}", fullmatch=True)
digests = st.none() | st.from_regex(r"sha256:[0-9a-f]{64}", fullmatch=True)
domains = st.sampled_from(
    [
        None,
        "docker.io",
        "registry.k8s.io",
        "quay.io",
        "ghcr.io",
        "public.ecr.aws",
        "example.com:5000",
        REGISTRY,
    ]
)


@st.composite
def references(draw):
    domain = draw(domains)
    path = "/".join(draw(st.lists(components, min_size=1, max_size=3)))
    tag, digest = draw(tags), draw(digests)
    text = f"{domain}/{path}" if domain else path
    return text + (f":{tag}" if tag else "") + (f"@{digest}" if digest else "")


@given(references())
def test_rewriting_is_idempotent_and_keeps_tag_and_digest(reference):
    once = mirror_reference(reference, TARGET)
    assert mirror_reference(once, TARGET) == once
    before, after = parse_reference(reference), parse_reference(once)
    assert (after.tag, after.digest) == (before.tag, before.digest)
    assert after.path.endswith(before.path)
    assert after.domain in {REGISTRY, before.domain}


@given(references())
def test_parse_round_trips_through_its_normal_form(reference):
    parsed = parse_reference(reference)
    assert parse_reference(str(parsed)) == parsed


# distribution/reference's grammar, written out on its own: ASCII only, nothing after the end.
REFERENCE_GRAMMAR = re.compile(
    r"((?:[A-Za-z0-9.-]+(?::[0-9]+)?|\[[0-9a-fA-F:]+\](?::[0-9]+)?)/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
    r"(?:@[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,})?",
    re.ASCII,
)
reference_like = st.text(alphabet="abz09/.:-_@AZ\n é", max_size=30)


@given(reference_like | st.text(max_size=60))
def test_only_what_the_grammar_accepts_parses_and_it_round_trips(text):
    try:
        parsed = parse_reference(text)
    except ImageReferenceError as error:
        assert repr(text) in str(error)
        return
    assert REFERENCE_GRAMMAR.fullmatch(text), text
    assert parse_reference(str(parsed)) == parsed
    assert text.endswith(str(parsed).rpartition("/")[2].removeprefix("library/"))


@pytest.mark.parametrize(
    "text", ["hello:d\u00e9v", "hello:tag\n", "hello\n", "hello@sha256:" + "\u0663" * 64]
)
def test_what_the_runtime_refuses(text):
    with pytest.raises(ImageReferenceError):
        parse_reference(text)

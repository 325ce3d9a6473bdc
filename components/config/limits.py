"""Values the API server, the kubelet or AWS would reject (or accept and regret), caught at
config time: names that grow too long once prefixed, names warmstart uses itself, label keys,
host conditions, digests, rollouts and disruption budgets that cannot make progress, memory
too small for a Go runtime, and credentials written in plain text.

Pure functions over the parsed model; `stack_problems` (in `stack.py`) runs them with the
rest, and `naming_problems` runs where the stack's name is known (the default cluster name is
`<project>-<stack>`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from warmstart.components.config.base import Problem
from warmstart.components.quantities import MEBIBYTE, QuantityError, parse_memory

if TYPE_CHECKING:
    from warmstart.components.config.service import ServiceConfig
    from warmstart.components.config.stack import WarmstartConfig

# Names already taken in the services' namespace, with who takes them: a service's
# ServiceAccount, Service and NetworkPolicy are named after it.
_OURS = "warmstart names its own objects so: pick another"
RESERVED_SERVICE_NAMES = {
    "image-prewarm": _OURS,
    "default-deny-ingress": _OURS,
    "default": "every namespace has a ServiceAccount named default already: pick another",
}
LAMBDA_NAME_LIMIT = 64
NODE_GROUP_NAME_LIMIT = 63
NODE_GROUPS = ("system", "spot")
# The digests containerd and ECR accept: algorithm -> hex length.
DIGEST_LENGTHS = {"sha256": 64, "sha384": 96, "sha512": 128}
# The reference hello holds 5.6 MiB resident idle and 6.7 MiB after 200 requests (`ps -o rss`):
# below 16Mi, GOMEMLIMIT (90%) leaves its heap under about its own baseline again, and the GC
# runs without pause until the OOM killer ends it.
GO_MEMORY_FLOOR = 16 * MEBIBYTE
# ALB host conditions: up to 128 characters of A-Z, a-z, 0-9, - . and the wildcards * ?
_HOST_CONDITION = re.compile(r"^[A-Za-z0-9*?]([-A-Za-z0-9.*?]{0,126}[A-Za-z0-9*?])?$")
ALB_CONDITION_VALUES = 5
SECRET_SHAPES = {
    "an AWS access key id": re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),
    "a private key": re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b"),
    "a Slack token": re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}"),
}
_SECRET_ENV_NAME = re.compile(r"(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|API_KEY|PRIVATE_KEY)$")


def limit_problems(config: WarmstartConfig) -> Iterator[Problem]:
    for index, service in enumerate(config.services):
        at = f"services[{index}]"
        if service.name in RESERVED_SERVICE_NAMES:
            yield Problem(f"{at}.name", RESERVED_SERVICE_NAMES[service.name], service.name)
        if service.image is not None:
            yield from digest_problems(f"{at}.image", service.image)
        yield from _go_memory_problems(
            f"{at}.resources.limits.memory", service.resources.limits.memory
        )
        yield from _disruption_problems(at, service)
        yield from _env_problems(at, service.env)
        if service.routes is not None:
            yield from host_condition_problems(
                f"{at}.routes", service.routes.hosts, service.routes.paths
            )
    if config.prewarm.enabled and config.prewarm.max_unavailable in (0, "0%"):
        yield Problem(
            "prewarm.maxUnavailable",
            "must be > 0: the DaemonSet rolls with maxSurge 0, so 0 would never progress",
            config.prewarm.max_unavailable,
        )


def naming_problems(config: WarmstartConfig, project: str, stack: str) -> Iterator[Problem]:
    """AWS names built from the cluster's name, which defaults to `<project>-<stack>`."""
    if config.cluster.mode != "eks":
        return
    cluster = config.cluster.name or f"{project}-{stack}"
    where = "cluster.name" if config.cluster.name else f"cluster.name (default {cluster})"
    for group in NODE_GROUPS:
        name = f"{cluster}-{group}"
        if len(name) > NODE_GROUP_NAME_LIMIT:
            yield Problem(
                where,
                f"node group {name} would be {len(name)} characters; EKS allows "
                f"{NODE_GROUP_NAME_LIMIT}: shorten the cluster name",
                cluster,
            )
    for index, service in enumerate(config.services):
        name = f"{cluster}-{service.name}"
        has_function = service.routes is not None and service.fallback.lambda_.enabled
        if has_function and len(name) > LAMBDA_NAME_LIMIT:
            yield Problem(
                f"services[{index}].name",
                f"its Lambda function {name} would be {len(name)} characters; Lambda "
                f"allows {LAMBDA_NAME_LIMIT}: shorten the service or the cluster name",
                service.name,
            )


def digest_problems(at: str, reference: str) -> Iterator[Problem]:
    digest = reference.rpartition("@")[2] if "@" in reference else None
    if digest is None:
        return
    algorithm, _, hex_digits = digest.partition(":")
    if DIGEST_LENGTHS.get(algorithm) != len(hex_digits) or not re.fullmatch(
        r"[0-9a-f]+", hex_digits
    ):
        shown = ", ".join(
            f"{name} ({length} lowercase hex)" for name, length in DIGEST_LENGTHS.items()
        )
        yield Problem(at, f"the digest must be {shown}", digest)


def host_condition_problems(at: str, hosts: list[str], paths: list[str]) -> Iterator[Problem]:
    for index, host in enumerate(hosts):
        if not _HOST_CONDITION.fullmatch(host):
            yield Problem(
                f"{at}.hosts[{index}]",
                "an ALB host condition is <= 128 of A-Z a-z 0-9 - . * ?",
                host,
            )
    if len(hosts) + len(paths) > ALB_CONDITION_VALUES:
        yield Problem(
            at,
            f"an ALB rule takes {ALB_CONDITION_VALUES} condition values (hosts + paths)",
            len(hosts) + len(paths),
        )


def _go_memory_problems(at: str, limit: str) -> Iterator[Problem]:
    try:
        limit_bytes = parse_memory(limit)
    except QuantityError:
        return  # reported by resource_problems
    if limit_bytes < GO_MEMORY_FLOOR:
        yield Problem(at, "a Go service needs at least 16Mi (GOMEMLIMIT is 90% of it)", limit)


def _disruption_problems(at: str, service: ServiceConfig) -> Iterator[Problem]:
    """A budget no eviction can satisfy blocks every node drain (and Spot rebalancing)."""
    disruption, replicas = service.disruption, service.autoscaling.min_replicas
    if disruption.max_unavailable in (0, "0%"):
        yield Problem(
            f"{at}.disruption.maxUnavailable",
            "0 blocks every node drain",
            disruption.max_unavailable,
        )
    minimum = disruption.min_available
    if minimum == "100%" or (isinstance(minimum, int) and minimum >= replicas):
        yield Problem(
            f"{at}.disruption.minAvailable",
            f"blocks every node drain at minReplicas {replicas}: must leave one pod evictable",
            minimum,
        )


def _env_problems(at: str, env: Mapping[str, str]) -> Iterator[Problem]:
    for name, value in env.items():
        if value and _SECRET_ENV_NAME.search(name):
            yield Problem(
                f"{at}.env.{name}",
                "looks like a secret in plain text: keep it out of the stack file",
            )


def plaintext_secret_problems(
    raw: Mapping[str, str], secret_keys: frozenset[str]
) -> Iterator[Problem]:
    """Credentials pasted into any plain (not `--secret`) warmstart value."""
    for full_key, text in sorted(raw.items()):
        namespace, _, key = full_key.partition(":")
        if namespace != "warmstart" or full_key in secret_keys:
            continue
        for what, shape in SECRET_SHAPES.items():
            if shape.search(text):
                yield Problem(
                    key,
                    f"holds {what} in plain text: use pulumi config set --secret, or keep it out",
                )

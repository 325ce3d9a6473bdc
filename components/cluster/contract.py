"""What a Cluster checks about its args before it registers anything: the stack file's
`warmstart:cluster` (and `aws`, `kubeconfig`, `nodes.imageGc`) rules, with paths that start at
the args (`cluster.network.cidr`, `imageGc.lowThresholdPercent`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from warmstart.components.config.base import Problem
from warmstart.components.config.cluster import (
    AwsConfig,
    ClusterConfig,
    ImageGcConfig,
    cluster_problems,
    image_gc_problems,
)
from warmstart.components.config.problems import ConfigError, moved, parsed_args
from warmstart.components.config.stack import WarmstartConfig


def validated_cluster(
    name: str,
    cluster: ClusterConfig | Mapping[str, Any],
    aws: AwsConfig | Mapping[str, Any] | None,
    image_gc: ImageGcConfig | Mapping[str, Any],
    *,
    production: bool,
    kubeconfig: str | None,
) -> tuple[ClusterConfig, AwsConfig | None, ImageGcConfig]:
    """The three parsed, or ConfigError naming every problem of the args."""
    parsed, problems = parsed_args(
        {
            "cluster": (ClusterConfig, cluster),
            "aws": (AwsConfig, aws),
            "imageGc": (ImageGcConfig, image_gc),
        }
    )
    if not problems:
        problems = cluster_arg_problems(
            parsed["cluster"], parsed["aws"], parsed["imageGc"], production, kubeconfig
        )
    if problems:
        raise ConfigError(problems, subject=f"Cluster {name} args")
    return parsed["cluster"], parsed["aws"], parsed["imageGc"]


def cluster_arg_problems(
    cluster: ClusterConfig,
    aws: AwsConfig | None,
    image_gc: ImageGcConfig,
    production: bool,
    kubeconfig: str | None,
) -> list[Problem]:
    """The stack file's rules over exactly what the args hold (nothing else is read)."""
    view = WarmstartConfig.model_construct(
        cluster=cluster, aws=aws, production=production, kubeconfig=kubeconfig
    )
    problems = list(cluster_problems(view))
    problems += moved(image_gc_problems(image_gc), "nodes.imageGc", "imageGc")
    return problems

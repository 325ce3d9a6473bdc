"""A team's own Pulumi program: its namespace, its image and its Go service, with warmstart
installed as a library rather than forked.

The service is written as one `warmstart:services` entry of a stack file would write it, so
its probes, GOMEMLIMIT/GOMAXPROCS, PodDisruptionBudget and HPA come out as they do for
warmstart's own stacks, and a bad value fails `pulumi preview` with the same message.
"""

import pulumi
import pulumi_kubernetes as k8s

from warmstart.components import (
    GoService,
    GoServiceArgs,
    PushTarget,
    ServiceImage,
    ServiceImageArgs,
)

config = pulumi.Config()
namespace_name = config.get("namespace") or "payments"
registry = config.require("registry")

namespace = k8s.core.v1.Namespace(
    "payments",
    metadata={
        "name": namespace_name,
        "labels": {"pod-security.kubernetes.io/enforce": "restricted"},
    },
)

# `services/` holds the Go module and its Dockerfile (here: a copy of warmstart's reference
# services); the build's paths are relative to this project, as in a stack file.
image = ServiceImage(
    "hello",
    ServiceImageArgs(
        build={
            "context": "services",
            "target": "hello",
            "platforms": ["linux/amd64"],
            "args": config.get_object("buildArgs") or {},
        },
        target=PushTarget(registry=registry, repository=f"{registry}/{namespace_name}/hello"),
        builder=config.get("builder") or None,
    ),
)

hello = GoService(
    "hello",
    GoServiceArgs(
        service={
            "name": "hello",
            "startup": {"budgetSeconds": 5, "probe": "http"},
            "resources": {
                "requests": {"cpu": "50m", "memory": "32Mi"},
                "limits": {"cpu": "250m", "memory": "64Mi"},
            },
        },
        namespace=namespace_name,
        image=image.ref,
    ),
    opts=pulumi.ResourceOptions(depends_on=[namespace]),
)

pulumi.export("image", image.ref)
pulumi.export("deployment", hello.service_name)

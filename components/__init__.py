"""warmstart's Pulumi components, one subpackage per concern of the architecture.

`program.build_stack` assembles them from a parsed `config.WarmstartConfig`. Inside each
concern, the ComponentResource only registers resources; every number, name and document it
needs comes from a pure module beside it (`spec`, `plan`, `policies`, ...), tested on its own.
Shared pure modules sit here: `quantities` (Kubernetes quantities), `image_reference`
(parsing and mirror rewriting), `iam` (documents every concern's roles use).

The components, for programs of your own (`from warmstart.components import GoService`).
They load on first use: GoService, ImagePrewarm and ProxyMirror need only the core install;
Cluster, RegistryMirror, ServiceRouting and the fallbacks need the `aws` extra
(`pip install "warmstart[aws]"`, which brings pulumi-aws).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODULES = {
    "Cluster": "cluster.cluster",
    "ClusterArgs": "cluster.cluster",
    "FargateSpotFallback": "fallback.fargate",
    "FargateSpotFallbackArgs": "fallback.fargate",
    "GoService": "service.go_service",
    "GoServiceArgs": "service.go_service",
    "ImagePrewarm": "prewarm.image_prewarm",
    "ImagePrewarmArgs": "prewarm.image_prewarm",
    "LambdaFallback": "fallback.lambda_fallback",
    "LambdaFallbackArgs": "fallback.lambda_fallback",
    "ProxyMirror": "mirror.proxy_mirror",
    "ProxyMirrorArgs": "mirror.proxy_mirror",
    "PushTarget": "images.plan",
    "RegistryLogin": "images.service_image",
    "RegistryMirror": "mirror.registry_mirror",
    "RegistryMirrorArgs": "mirror.registry_mirror",
    "ServiceImage": "images.service_image",
    "ServiceImageArgs": "images.service_image",
    "ServiceRouting": "routing.service_routing",
    "ServiceRoutingArgs": "routing.service_routing",
}
__all__ = [
    "Cluster",
    "ClusterArgs",
    "FargateSpotFallback",
    "FargateSpotFallbackArgs",
    "GoService",
    "GoServiceArgs",
    "ImagePrewarm",
    "ImagePrewarmArgs",
    "LambdaFallback",
    "LambdaFallbackArgs",
    "ProxyMirror",
    "ProxyMirrorArgs",
    "PushTarget",
    "RegistryLogin",
    "RegistryMirror",
    "RegistryMirrorArgs",
    "ServiceImage",
    "ServiceImageArgs",
    "ServiceRouting",
    "ServiceRoutingArgs",
]


def __getattr__(name: str) -> Any:
    """Import a component's module when the component is first asked for."""
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_MODULES[name]}"), name)


if TYPE_CHECKING:  # what editors and type checkers see
    from warmstart.components.cluster.cluster import Cluster, ClusterArgs
    from warmstart.components.fallback.fargate import (
        FargateSpotFallback,
        FargateSpotFallbackArgs,
    )
    from warmstart.components.fallback.lambda_fallback import LambdaFallback, LambdaFallbackArgs
    from warmstart.components.images.plan import PushTarget
    from warmstart.components.images.service_image import (
        RegistryLogin,
        ServiceImage,
        ServiceImageArgs,
    )
    from warmstart.components.mirror.proxy_mirror import ProxyMirror, ProxyMirrorArgs
    from warmstart.components.mirror.registry_mirror import RegistryMirror, RegistryMirrorArgs
    from warmstart.components.prewarm.image_prewarm import ImagePrewarm, ImagePrewarmArgs
    from warmstart.components.routing.service_routing import ServiceRouting, ServiceRoutingArgs
    from warmstart.components.service.go_service import GoService, GoServiceArgs

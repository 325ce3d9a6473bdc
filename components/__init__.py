"""warmstart's Pulumi components, one subpackage per concern of the architecture.

`program.build_stack` assembles them from a parsed `config.WarmstartConfig`. Inside each
concern, the ComponentResource only registers resources; every number, name and document it
needs comes from a pure module beside it (`spec`, `plan`, `policies`, ...), tested on its own.
Shared pure modules sit here: `quantities` (Kubernetes quantities), `image_reference`
(parsing and mirror rewriting), `iam` (documents every concern's roles use).

The components, for programs of your own (`from warmstart.components import GoService`):
"""

from warmstart.components.cluster.cluster import Cluster, ClusterArgs
from warmstart.components.fallback.fargate import FargateSpotFallback, FargateSpotFallbackArgs
from warmstart.components.fallback.lambda_fallback import LambdaFallback, LambdaFallbackArgs
from warmstart.components.images.service_image import ServiceImage, ServiceImageArgs
from warmstart.components.mirror.proxy_mirror import ProxyMirror, ProxyMirrorArgs
from warmstart.components.mirror.registry_mirror import RegistryMirror, RegistryMirrorArgs
from warmstart.components.prewarm.image_prewarm import ImagePrewarm, ImagePrewarmArgs
from warmstart.components.routing.service_routing import ServiceRouting, ServiceRoutingArgs
from warmstart.components.service.go_service import GoService, GoServiceArgs

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
    "RegistryMirror",
    "RegistryMirrorArgs",
    "ServiceImage",
    "ServiceImageArgs",
    "ServiceRouting",
    "ServiceRoutingArgs",
]

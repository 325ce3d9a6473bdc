"""Every component the provider hosts, and its entry point.

Hosted: GoService, ImagePrewarm, ProxyMirror, ServiceImage (warmstart/provider/kubernetes.py)
and Cluster, RegistryMirror, FargateSpotFallback, LambdaFallback (warmstart/provider/aws.py,
which says why ServiceRouting is not).
"""

import pulumi
from pulumi.provider.experimental import component_provider_host

from warmstart import __version__
from warmstart.provider.aws import Cluster, FargateSpotFallback, LambdaFallback, RegistryMirror
from warmstart.provider.base import PROVIDER
from warmstart.provider.kubernetes import GoService, ImagePrewarm, ProxyMirror, ServiceImage

HOSTED: list[type[pulumi.ComponentResource]] = [
    GoService,
    ImagePrewarm,
    ProxyMirror,
    ServiceImage,
    Cluster,
    RegistryMirror,
    FargateSpotFallback,
    LambdaFallback,
]


def serve() -> None:
    """Run the component provider (the CLI starts it with the engine's address)."""
    component_provider_host(HOSTED, name=PROVIDER, version=__version__)

"""Cluster: where the stack's Kubernetes objects go, as one provider for every component.

`render` writes YAML into a directory and needs no cluster or cloud account (the `local`
stack); `existing` talks to a cluster the team already runs, through a kubeconfig kept as a
Pulumi secret or, without one, the ambient kubeconfig. Either way the provider is created
here and handed to other components through resource options, never installed globally.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.config import ClusterConfig

TYPE_TOKEN = "warmstart:cluster:Cluster"


@dataclass(frozen=True)
class ClusterArgs:
    cluster: ClusterConfig
    kubeconfig: str | None = None


class Cluster(pulumi.ComponentResource):
    """Owns the Kubernetes provider for the stack's chosen cluster mode."""

    provider: k8s.Provider
    mode: str
    kubernetes_version: str

    def __init__(
        self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        config = args.cluster
        if config.mode == "render":
            self.provider = k8s.Provider(
                "kubernetes", render_yaml_to_directory=config.render_dir, opts=child
            )
        else:
            kubeconfig = pulumi.Output.secret(args.kubeconfig) if args.kubeconfig else None
            self.provider = k8s.Provider(
                "kubernetes", kubeconfig=kubeconfig, context=config.context, opts=child
            )
        self.mode = config.mode
        self.kubernetes_version = config.kubernetes_version
        self.register_outputs({"mode": self.mode, "kubernetesVersion": self.kubernetes_version})

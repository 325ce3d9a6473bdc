"""Uses the Greeting component through the SDK `pulumi package add` generated."""

import pulumi
import pulumi_greeter as greeter
import pulumi_kubernetes as kubernetes

namespace = kubernetes.core.v1.Namespace("greetings")
greeting = greeter.Greeting(
    "hello", namespace=namespace.metadata.name, message="hello from a component provider"
)
pulumi.export("namespace", namespace.metadata.name)
pulumi.export("configMap", greeting.config_map)

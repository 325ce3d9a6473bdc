"""warmstart's components for every Pulumi language: a component provider.

Teams writing Pulumi in TypeScript, Go, C#, Java or YAML add it with
`pulumi package add <checkout>/provider` (or a git reference to that folder); the CLI runs
it through the Python language host, reads the schema the SDK infers from `components`,
and generates an SDK in the consumer's language. `serve` is the provider's entry point.
"""

from warmstart.provider.components import HOSTED, serve

__all__ = ["HOSTED", "serve"]

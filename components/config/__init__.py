"""The `warmstart` config namespace: typed models per concern, parsed before any resource exists.

- `base`: the model base class, shared value types, `Problem`;
- `service`, `fallback`, `routing`, `cluster`, `mirror`, `prewarm`: each concern's models and
  the rules that span its fields;
- `stack`: `WarmstartConfig`, the root, and the order rules are checked in;
- `problems`: pydantic errors -> one line per problem; `parse`: raw Pulumi config -> model.

A typo in a stack file fails `pulumi preview` with the key path and what is allowed, not
half-way through an update with a provider error.
"""

from warmstart.components.config.base import NAMESPACE, Problem
from warmstart.components.config.parse import SECRET_KEYS, load_config, parse_config
from warmstart.components.config.problems import ConfigError
from warmstart.components.config.stack import WarmstartConfig

__all__ = [
    "NAMESPACE",
    "SECRET_KEYS",
    "ConfigError",
    "Problem",
    "WarmstartConfig",
    "load_config",
    "parse_config",
]

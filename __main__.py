"""`pulumi up` entry point: the whole config is checked before the first resource exists."""

from warmstart.components.config import load_config
from warmstart.components.program import build_stack

build_stack(load_config())

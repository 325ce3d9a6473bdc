"""`pulumi up` entry point: the whole config is checked before the first resource exists."""

from components.config import load_config
from components.program import build_stack

build_stack(load_config())

"""warmstart: Pulumi components for fast-starting, low-cost Go services, and their CLI.

The components are in `warmstart.components` (one subpackage per concern); the command-line
tool (`warmstart render`, `cost`, `diff`, `promote`) in the modules beside it.
"""

# The one place the version is written: pyproject.toml reads it from here.
__version__ = "0.1.0"

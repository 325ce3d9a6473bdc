"""What an ImagePrewarm checks about its args before it registers anything: the stack
file's `warmstart:prewarm` rules, with paths that start at the args."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from warmstart.components.config.base import Problem, reference_problems
from warmstart.components.config.prewarm import PrewarmConfig
from warmstart.components.config.problems import parsed_model
from warmstart.components.config.service import resource_problems
from warmstart.components.prewarm.spec import HeldImage

AT = "prewarm"


def parsed_prewarm(value: PrewarmConfig | Mapping[str, Any]) -> PrewarmConfig | list[Problem]:
    """`warmstart:prewarm` as a stack file writes it, parsed; or why it cannot be."""
    return parsed_model(PrewarmConfig, value, AT)


def prewarm_arg_problems(
    config: PrewarmConfig,
    images: Sequence[HeldImage],
    sleep_image: object,
    pause_image: str,
    production: bool,
) -> list[Problem]:
    """The images it is to hold and run, and the holders' own resources.

    References known now (text) are checked; a build's digest (an Output) is not known yet.
    """
    problems = list(resource_problems(f"{AT}.resources", config.resources))
    if config.mode == "sleep" and sleep_image is None:
        problems.append(Problem("sleepImage", "required in sleep mode: the sleep image to run"))
    named: list[tuple[str, object]] = [("sleepImage", sleep_image), ("pauseImage", pause_image)]
    named += [(f"images[{index}]", image.ref) for index, image in enumerate(images)]
    for path, image in named:
        if isinstance(image, str):
            problems += reference_problems(path, image, production)
    return problems

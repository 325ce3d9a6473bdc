"""Pod templates whose images no node has seen: pulled through the mirror, or from upstream.

Each round gets fresh copies of the template's image (bench.unique_images), pushed to the
upstream registry before the round's clock starts. `through_mirror` pulls them once through
the pull-through mirror first, so its cache is warm and the node's is cold;
`from_upstream` points the pods at the upstream through a shaped link (bench.shaped_link).
"""

from __future__ import annotations

import copy
import platform
import uuid
from typing import Any

from bench.unique_images import Image, push_copy, read_image, warm
from warmstart.components.image_reference import parse_reference

ARCHES = {"x86_64": "amd64", "aarch64": "arm64"}
REPOSITORY = "warmstart-bench/pull"


class PullScenarios:
    """Templates for the `mirror` and `upstream` scenarios of bench.pod_start."""

    def __init__(self, template: dict[str, Any], upstream: str, mirror: str, link: str) -> None:
        self.template, self.upstream, self.mirror, self.link = template, upstream, mirror, link
        image = parse_reference(template["spec"]["containers"][0]["image"])
        if image.digest is None:
            raise ValueError("the template's image must be pinned by digest")
        arch = ARCHES.get(platform.machine(), platform.machine())
        self.source: Image = read_image(upstream, image.path, image.digest, arch)
        self.run = uuid.uuid4().hex[:8]
        self.copies = 0

    def _fresh(self, count: int) -> list[str]:
        digests = []
        for _ in range(count):
            self.copies += 1
            marker = f"{self.run}-{self.copies}"
            digests.append(push_copy(self.upstream, REPOSITORY, self.source, marker))
        return digests

    def _with_image(self, reference: str) -> dict[str, Any]:
        changed = copy.deepcopy(self.template)
        changed["spec"]["containers"][0]["image"] = reference
        return changed

    def through_mirror(self, count: int) -> list[dict[str, Any]]:
        templates = []
        for digest in self._fresh(count):
            warm(self.mirror, REPOSITORY, digest)
            templates.append(self._with_image(f"{self.mirror}/{REPOSITORY}@{digest}"))
        return templates

    def from_upstream(self, count: int) -> list[dict[str, Any]]:
        return [
            self._with_image(f"{self.link}/{REPOSITORY}@{digest}") for digest in self._fresh(count)
        ]

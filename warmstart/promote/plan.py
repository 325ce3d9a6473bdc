"""What a promotion changes: per service, the target's image becomes the source's digest.

Pure, so every refusal is a unit test: a digest the source never ran, a source service
built from source with no deployed digest to read, a target that builds instead of naming
an image, a reference that is not pinned.
"""

from __future__ import annotations

from dataclasses import dataclass

from warmstart.components.image_reference import ImageReferenceError, parse_reference


@dataclass(frozen=True)
class Promotion:
    service: str
    before: str
    after: str
    copy_from: str | None  # the source reference, when the bytes must go to another repository


@dataclass(frozen=True)
class PromotionPlan:
    promotions: tuple[Promotion, ...]
    problems: tuple[str, ...]
    notes: tuple[str, ...]

    @property
    def changes(self) -> tuple[Promotion, ...]:
        return tuple(p for p in self.promotions if p.before != p.after)


def repository(reference: str) -> str:
    parsed = parse_reference(reference)
    return f"{parsed.domain}/{parsed.path}"


def digest_of(reference: str | None) -> str | None:
    if not reference:
        return None
    try:
        return parse_reference(reference).digest
    except ImageReferenceError:
        return None


def plan_promotion(
    source: str,
    runs: dict[str, str],
    declared: dict[str, str | None],
    target: dict[str, str | None],
) -> PromotionPlan:
    """`runs`: service -> reference the source runs; `declared`: the source stack file's
    `image:` (None for a build); `target`: the target stack file's `image:` (None: build)."""
    promotions, problems, notes = [], [], []
    for service, current in target.items():
        if service not in runs:
            notes.append(f"{service}: not in {source}, left as it is")
            continue
        running = runs[service]
        digest = digest_of(running)
        if digest is None:
            problems.append(f"{service}: {source} runs {running}, which is not pinned by digest")
            continue
        if digest_of(declared.get(service)) not in (None, digest):
            problems.append(
                f"{service}: {source}'s stack file pins {declared[service]} but {source} runs "
                f"{digest}: deploy {source} first (promotion copies only what ran)"
            )
            continue
        if current is None:
            problems.append(
                f"{service}: the target builds it from source; promotion writes images only"
            )
            continue
        into = repository(current)
        promotions.append(
            Promotion(
                service=service,
                before=current,
                after=f"{into}@{digest}",
                copy_from=running if repository(running) != into else None,
            )
        )
    notes += [
        f"{service}: only in {source}, not promoted" for service in runs if service not in target
    ]
    return PromotionPlan(tuple(promotions), tuple(problems), tuple(notes))


def rewrite(text: str, promotions: tuple[Promotion, ...]) -> str:
    """The stack file with each promoted `image:` value replaced where it is written.

    Text, not a YAML round trip, so comments and layout stay; each old value must appear
    exactly once, or the edit would be a guess.
    """
    for promotion in promotions:
        count = text.count(promotion.before)
        if count != 1:
            raise ValueError(
                f"{promotion.service}: {promotion.before} appears {count} times in the target "
                "stack file; promote it by hand"
            )
        text = text.replace(promotion.before, promotion.after)
    return text

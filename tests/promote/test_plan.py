"""Promotion plans: what is copied where, and every refusal, before anything is touched."""

import pytest

from warmstart.promote.plan import Promotion, plan_promotion, rewrite

A = "sha256:" + "a" * 64
B = "sha256:" + "b" * 64
STAGING = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/warmstart/hello"
PROD = "222222222222.dkr.ecr.eu-west-1.amazonaws.com/warmstart/hello"


def test_a_digest_lands_in_the_target_repository_and_is_copied_across_registries():
    plan = plan_promotion(
        "staging",
        {"hello": f"{STAGING}@{A}"},
        {"hello": f"{STAGING}@{A}"},
        {"hello": f"{PROD}@{B}"},
    )
    assert plan.problems == ()
    assert plan.changes == (
        Promotion("hello", f"{PROD}@{B}", f"{PROD}@{A}", copy_from=f"{STAGING}@{A}"),
    )


def test_same_repository_needs_no_copy_and_a_tag_in_the_target_becomes_a_digest():
    plan = plan_promotion(
        "dev", {"hello": f"{PROD}@{A}"}, {"hello": None}, {"hello": f"{PROD}:1.2"}
    )
    assert plan.changes == (Promotion("hello", f"{PROD}:1.2", f"{PROD}@{A}", copy_from=None),)


def test_already_promoted_is_no_change():
    plan = plan_promotion("staging", {"hello": f"{STAGING}@{A}"}, {}, {"hello": f"{PROD}@{A}"})
    assert (plan.problems, plan.changes) == ((), ())


def test_a_digest_in_the_source_file_that_never_ran_is_refused():
    plan = plan_promotion(
        "staging",
        {"hello": f"{STAGING}@{A}"},
        {"hello": f"{STAGING}@{B}"},
        {"hello": f"{PROD}@{A}"},
    )
    assert plan.problems == (
        f"hello: staging's stack file pins {STAGING}@{B} but staging runs {A}: deploy staging "
        "first (promotion copies only what ran)",
    )


@pytest.mark.parametrize(
    ("runs", "target", "problem"),
    [
        (
            {"hello": f"{STAGING}:latest"},
            {"hello": f"{PROD}@{B}"},
            f"hello: staging runs {STAGING}:latest, which is not pinned by digest",
        ),
        (
            {"hello": f"{STAGING}@{A}"},
            {"hello": None},
            "hello: the target builds it from source; promotion writes images only",
        ),
    ],
)
def test_refusals(runs, target, problem):
    assert plan_promotion("staging", runs, {}, target).problems == (problem,)


def test_services_on_one_side_only_are_named_not_promoted():
    plan = plan_promotion(
        "staging",
        {"hello": f"{STAGING}@{A}", "batch": f"{STAGING}@{A}"},
        {},
        {"ledger": f"{PROD}@{B}"},
    )
    assert plan.promotions == ()
    assert plan.notes == (
        "ledger: not in staging, left as it is",
        "hello: only in staging, not promoted",
        "batch: only in staging, not promoted",
    )


def test_rewrite_keeps_comments_and_layout_and_refuses_ambiguity():
    text = f"config:\n  # prod pins digests\n  warmstart:services:\n    - name: hello\n      image: {PROD}@{B}  # promoted\n"
    promotion = Promotion("hello", f"{PROD}@{B}", f"{PROD}@{A}", None)
    assert rewrite(text, (promotion,)) == text.replace(B, A)
    with pytest.raises(ValueError, match="appears 2 times"):
        rewrite(text + f"# was {PROD}@{B}\n", (promotion,))

"""The iam rule: a change that widens who may do what is a risk; one that does not, is not."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.diff.risk_inputs import changed
from warmstart.diff.changes import CREATE
from warmstart.diff.grants import Grant, added_grants, grants
from warmstart.diff.risks import iam

POLICY = "aws:iam/policy:Policy"
ROLE = "aws:iam/role:Role"
PULL = {"Effect": "Allow", "Action": ["ecr:BatchGetImage"], "Resource": "arn:aws:ecr:*:1:repo/*"}
EKS = {"Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"}, "Action": "sts:AssumeRole"}
OIDC = "arn:aws:iam::1:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/X"
SUB = {"StringEquals": {"oidc.eks.eu-west-1.amazonaws.com/id/X:sub": "system:serviceaccount:a:b"}}
WEB_IDENTITY = {
    "Effect": "Allow",
    "Principal": {"Federated": OIDC},
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Condition": SUB,
}


def policy(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def messages(type_, key, before, after, operation="update"):
    was = None if before is None else {key: before}
    change = changed(type_, "p", was, {key: after}, operation=operation)
    return [risk.message for risk in iam(change)]


def policy_messages(before, after):
    return messages(POLICY, "policy", before, after)


def trust_messages(before, after):
    return messages(ROLE, "assumeRolePolicy", before, after)


def test_an_added_action_is_a_grant():
    after = policy(PULL, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"})
    assert policy_messages(policy(PULL), after) == ["Policy p now allows: s3:* on *"]


def test_an_allow_with_not_action_grants_everything_but():
    everything_but = {"Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}
    assert policy_messages(policy(PULL), policy(PULL, everything_but)) == [
        "Policy p now allows: all but iam:*, sts:* on *"
    ]


def test_an_allow_with_not_resource_grants_everywhere_but():
    elsewhere = {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x/*"}
    assert policy_messages(policy(PULL), policy(PULL, elsewhere)) == [
        "Policy p now allows: s3:GetObject on all but arn:aws:s3:::x/*"
    ]


def test_a_narrower_not_action_is_a_new_grant_and_a_wider_one_is_not_covered_by_it():
    narrow = {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
    wide = {"Effect": "Allow", "NotAction": "iam:PassRole", "Resource": "*"}
    assert policy_messages(policy(narrow), policy(wide)) == [
        "Policy p now allows: all but iam:PassRole on *"
    ]


@pytest.mark.parametrize(
    ("principal", "shown"),
    [
        ({"AWS": "*"}, "AWS:*"),
        ("*", "*"),
        ({"AWS": "arn:aws:iam::999999999999:root"}, "AWS:arn:aws:iam::999999999999:root"),
    ],
)
def test_a_trust_policy_that_lets_others_assume_is_a_grant(principal, shown):
    widened = {**EKS, "Principal": principal}
    assert trust_messages(policy(EKS), policy(widened)) == [
        f"Role p now allows: {shown} to sts:AssumeRole"
    ]


def test_a_trust_policy_that_drops_its_condition_is_a_grant():
    unconditional = {key: value for key, value in WEB_IDENTITY.items() if key != "Condition"}
    assert trust_messages(policy(WEB_IDENTITY), policy(unconditional)) == [
        f"Role p now allows: Federated:{OIDC} to sts:AssumeRoleWithWebIdentity"
    ]


def test_an_allow_with_not_principal_trusts_everyone_but():
    everyone_but = {**EKS, "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}}
    del everyone_but["Principal"]
    assert trust_messages(policy(EKS), policy(everyone_but)) == [
        "Role p now allows: all but AWS:arn:aws:iam::1:root to sts:AssumeRole"
    ]


NEAR_MISSES = {
    "the same grants, written otherwise": (
        policy(PULL),
        json.dumps(
            {"Statement": [{**PULL, "Action": "ecr:BatchGetImage"}], "Version": "2012-10-17"}
        ),
    ),
    "a grant removed": (
        policy(PULL, {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        policy(PULL),
    ),
    "an action the old wildcard covers": (
        policy({"Effect": "Allow", "Action": "s3:*", "Resource": "*"}),
        policy({"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": "*"}),
    ),
    "a resource the old wildcard covers": (
        policy(PULL),
        policy({**PULL, "Resource": ["arn:aws:ecr:*:1:repo/*", "arn:aws:ecr:eu-west-1:1:repo/a"]}),
    ),
    "a Deny added": (
        policy(PULL),
        policy(PULL, {"Effect": "Deny", "Action": "*", "Resource": "*"}),
    ),
    "the same everything-but statement": (
        policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, PULL),
        policy({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}, {**PULL, "Sid": "x"}),
    ),
}


@pytest.mark.parametrize("case", sorted(NEAR_MISSES))
def test_identity_policy_changes_that_grant_nothing_new(case):
    assert policy_messages(*NEAR_MISSES[case]) == []


TRUST_NEAR_MISSES = {
    "a condition added": (
        policy({key: value for key, value in WEB_IDENTITY.items() if key != "Condition"}),
        policy(WEB_IDENTITY),
    ),
    "any AWS principal narrowed to one account": (
        policy({**EKS, "Principal": {"AWS": "*"}}),
        policy({**EKS, "Principal": {"AWS": "arn:aws:iam::1:root"}}),
    ),
    "a principal removed": (
        policy({**EKS, "Principal": {"Service": ["eks.amazonaws.com", "ec2.amazonaws.com"]}}),
        policy(EKS),
    ),
}


@pytest.mark.parametrize("case", sorted(TRUST_NEAR_MISSES))
def test_trust_policy_changes_that_trust_nobody_new(case):
    assert trust_messages(*TRUST_NEAR_MISSES[case]) == []


def test_a_policy_created_with_the_resource_is_not_a_widening():
    assert messages(POLICY, "policy", None, policy(PULL), operation=CREATE) == []


def test_other_types_are_not_read():
    assert messages("aws:sqs/queue:Queue", "policy", policy(), policy(PULL)) == []


def test_an_unparsed_policy_is_shown_as_a_grant():
    assert policy_messages(policy(PULL), "{not json") == [
        "Policy p now allows: (unparsed policy) on {not json"
    ]


def test_a_single_statement_object_is_read_like_a_list_of_one():
    assert (
        grants({"Statement": PULL})
        == grants({"Statement": [PULL]})
        == {Grant("", "ecr:BatchGetImage", "arn:aws:ecr:*:1:repo/*", "")}
    )


actions = st.sampled_from(["s3:GetObject", "s3:*", "ecr:*", "*", "sqs:SendMessage"])
statements = st.builds(
    lambda action, resource, principal: {
        "Effect": "Allow",
        "Action": action,
        "Resource": resource,
        **({"Principal": principal} if principal else {}),
    },
    actions,
    st.sampled_from(["*", "arn:aws:s3:::a/*", "arn:aws:s3:::a/b"]),
    st.sampled_from([None, "*", {"AWS": "*"}, {"Service": "eks.amazonaws.com"}]),
)


@given(st.lists(statements, max_size=4), st.lists(statements, max_size=4))
def test_a_policy_never_widens_itself_and_a_union_covers_its_parts(old, new):
    assert added_grants(policy(*old), policy(*old)) == []
    assert added_grants(policy(*old, *new), policy(*new)) == []

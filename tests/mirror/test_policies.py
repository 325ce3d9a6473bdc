from tests.iam_lint import findings
from warmstart.components.mirror.policies import (
    credentials_secret_name,
    lifecycle_policy,
    node_pull_through_policy,
)


def test_lifecycle_keeps_the_newest_n():
    assert lifecycle_policy(30) == {
        "rules": [
            {
                "rulePriority": 1,
                "description": "keep the newest 30 images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": 30,
                },
                "action": {"type": "expire"},
            }
        ]
    }


def test_node_policy_is_scoped_to_the_mirror_prefixes():
    policy = node_pull_through_policy("123456789012", "eu-west-1", ["quay", "k8s"])
    assert policy["Statement"] == [
        {
            "Sid": "FillPullThroughCache",
            "Effect": "Allow",
            "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
            "Resource": [
                "arn:aws:ecr:eu-west-1:123456789012:repository/k8s/*",
                "arn:aws:ecr:eu-west-1:123456789012:repository/quay/*",
            ],
        }
    ]


def test_node_policy_passes_the_iam_linter():
    policy = node_pull_through_policy("123456789012", "eu-west-1", ["ecr-public", "k8s", "quay"])
    real, stale = findings(policy)
    assert real == []
    # Still a false positive? When this fails, drop the entry in tests/iam_lint.py.
    assert len(stale) == 1 and "ecr:BatchImportUpstreamImage" in stale[0]


def test_iam_linter_would_flag_a_typo_and_a_broad_grant():
    policy = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ecr:CreateRepositry", "Resource": "*"},
            {"Effect": "Allow", "Action": "ecr:BatchImportUpstreamImage", "NotResource": "x"},
        ],
    }
    real, _ = findings(policy)
    assert real


def test_secret_names_carry_the_ecr_prefix():
    assert credentials_secret_name("warmstart", "dev", "docker-hub") == (
        "ecr-pullthroughcache/warmstart-dev/docker-hub"
    )

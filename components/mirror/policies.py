"""Documents the registry mirror hands to AWS: ECR lifecycle and the nodes' IAM policy.

Pure, so tests can read them field by field and the IAM linter can check every statement.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from warmstart.components.iam import IAM_VERSION


def lifecycle_policy(keep_images: int) -> dict[str, Any]:
    """Expire all but the newest `keep_images` images: old digests cost storage and scans."""
    return {
        "rules": [
            {
                "rulePriority": 1,
                "description": f"keep the newest {keep_images} images",
                "selection": {
                    "tagStatus": "any",
                    "countType": "imageCountMoreThan",
                    "countNumber": keep_images,
                },
                "action": {"type": "expire"},
            }
        ]
    }


def repository_arns(account_id: str, region: str, prefixes: Iterable[str]) -> list[str]:
    return [
        f"arn:aws:ecr:{region}:{account_id}:repository/{prefix}/*" for prefix in sorted(prefixes)
    ]


def node_pull_through_policy(
    account_id: str, region: str, prefixes: Iterable[str]
) -> dict[str, Any]:
    """What a node needs beyond plain pulls so its first pull of an upstream image fills the cache.

    The first pull of `<prefix>/<image>` creates that repository and imports the image,
    so both actions are granted on the mirror's prefixes only, never account-wide.
    """
    return {
        "Version": IAM_VERSION,
        "Statement": [
            {
                "Sid": "FillPullThroughCache",
                "Effect": "Allow",
                "Action": ["ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
                "Resource": repository_arns(account_id, region, prefixes),
            }
        ],
    }


def credentials_secret_name(project: str, stack: str, upstream: str) -> str:
    """ECR only accepts secrets whose name starts with `ecr-pullthroughcache/`."""
    return f"ecr-pullthroughcache/{project}-{stack}/{upstream}"

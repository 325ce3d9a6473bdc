"""RegistryMirror: ECR pull-through cache rules and the stack's own ECR repositories.

With the mirror on, every pull a node makes goes to ECR in the same account and region:
service images live in the stack's repositories, and upstream images (registry.k8s.io,
Quay, Docker Hub, ...) are cached under one prefix per upstream on their first pull. Pulls
then stay on the AWS network (and off the NAT gateway with the ECR endpoints the cluster
adds), are not rate-limited by Docker Hub, and keep working when an upstream is down.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from warmstart.components.config.cluster import AwsConfig
from warmstart.components.config.mirror import MirrorConfig
from warmstart.components.image_reference import UPSTREAM_URLS, MirrorTarget, ecr_registry
from warmstart.components.mirror.contract import validated_mirror
from warmstart.components.mirror.policies import (
    credentials_secret_name,
    lifecycle_policy,
    node_pull_through_policy,
)
from warmstart.components.naming import Children

TYPE_TOKEN = "warmstart:aws:RegistryMirror"


@dataclass(frozen=True)
class RegistryMirrorArgs:
    mirror: MirrorConfig | Mapping[str, Any]
    """`warmstart:mirror` as a stack file writes it (or parsed): the upstreams to cache,
    their prefixes, the services' repository prefix and how many images each keeps."""
    aws: AwsConfig | Mapping[str, Any]
    """The account and region whose ECR holds the cache and the repositories."""
    repositories: Sequence[str]
    """Repositories to create under mirror.repositoryPrefix: each service's, and `sleep`."""
    credentials: Mapping[str, pulumi.Input[str]]
    """Upstream -> credentials JSON ({"username", "accessToken"}) from a Pulumi secret."""
    production: bool
    """Production's rules too: repositories protected and never force-deleted, credentials
    kept for a 30-day recovery window."""


class RegistryMirror(pulumi.ComponentResource):
    """Pull-through cache rules, their credentials, and the stack's ECR repositories."""

    registry: str
    target: MirrorTarget
    prefixes: dict[str, str]
    cache_rules: dict[str, aws.ecr.PullThroughCacheRule]
    repositories: dict[str, aws.ecr.Repository]
    node_policy: aws.iam.Policy

    def __init__(
        self, name: str, args: RegistryMirrorArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        mirror, account = validated_mirror(
            name, args.mirror, args.aws, args.repositories, args.credentials
        )
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._names = Children(self, TYPE_TOKEN, name)
        self.prefixes = {
            upstream: mirror.prefixes.get(upstream, upstream) for upstream in mirror.upstreams
        }
        self.registry = ecr_registry(account.account_id, account.region)
        self.target = MirrorTarget.for_account(account.account_id, account.region, self.prefixes)
        self.cache_rules = {
            upstream: self._cache_rule(
                upstream,
                prefix,
                args.credentials.get(upstream),
                keep_images=mirror.keep_images,
                production=args.production,
            )
            for upstream, prefix in self.prefixes.items()
        }
        self.repositories = {
            repository: self._repository(repository, mirror, args.production)
            for repository in args.repositories
        }
        document = node_pull_through_policy(
            account.account_id, account.region, self.prefixes.values()
        )
        self.node_policy = aws.iam.Policy(
            self._names.name("node-pull-through"),
            description="warmstart: let nodes fill the ECR pull-through cache on first pull",
            policy=json.dumps(document),
            opts=self._names.options("node-pull-through"),
        )
        self.register_outputs(
            {
                "registry": self.registry,
                "prefixes": self.prefixes,
                "repositoryUrls": {
                    name: repo.repository_url for name, repo in self.repositories.items()
                },
                "nodePolicyArn": self.node_policy.arn,
            }
        )

    def _cache_rule(
        self,
        upstream: str,
        prefix: str,
        credentials: pulumi.Input[str] | None,
        *,
        keep_images: int,
        production: bool,
    ) -> aws.ecr.PullThroughCacheRule:
        names, secret_role = self._names, f"{upstream}-credentials"
        credential_arn: pulumi.Output[str] | None = None
        after: list[pulumi.Resource] = []
        if credentials is not None:
            secret = aws.secretsmanager.Secret(
                names.name(secret_role),
                name=credentials_secret_name(pulumi.get_project(), pulumi.get_stack(), upstream),
                description=f"warmstart: credentials ECR uses to pull from {upstream}",
                # Outside production a destroyed stack must be re-creatable at once: the name
                # stays reserved for the whole recovery window otherwise.
                recovery_window_in_days=30 if production else 0,
                opts=names.options(secret_role),
            )
            version = aws.secretsmanager.SecretVersion(
                names.name(secret_role),
                secret_id=secret.id,
                secret_string=pulumi.Output.secret(credentials),
                opts=names.options(secret_role),
            )
            credential_arn, after = secret.arn, [version]
        # The repositories a first pull creates take their settings from this template: a
        # lifecycle policy, so cached images do not pile up forever.
        after.append(
            aws.ecr.RepositoryCreationTemplate(
                names.name(f"{upstream}-repositories"),
                prefix=prefix,
                applied_fors=["PULL_THROUGH_CACHE"],
                description=f"warmstart: repositories the {upstream} cache creates",
                image_tag_mutability="MUTABLE",  # the cache follows the upstream's tags
                encryption_configurations=[{"encryption_type": "AES256"}],
                lifecycle_policy=json.dumps(lifecycle_policy(keep_images)),
                opts=names.options(f"{upstream}-repositories"),
            )
        )
        # ECR reads the secret when the rule is created: its value must be there first
        # (the rule's credentialArn alone waits only for the empty Secret).
        return aws.ecr.PullThroughCacheRule(
            names.name(upstream),
            ecr_repository_prefix=prefix,
            upstream_registry_url=UPSTREAM_URLS[upstream],
            credential_arn=credential_arn,
            opts=names.options(upstream, depends_on=after),
        )

    def _repository(self, name: str, mirror: MirrorConfig, production: bool) -> aws.ecr.Repository:
        """Immutable tags (a tag never changes under a running pod), scanned on push."""
        repository = aws.ecr.Repository(
            self._names.name(name),
            name=f"{mirror.repository_prefix}/{name}",
            image_tag_mutability="IMMUTABLE",
            image_scanning_configuration={"scan_on_push": True},
            encryption_configurations=[{"encryption_type": "AES256"}],
            force_delete=not production,
            opts=self._names.options(name, protect=production),
        )
        aws.ecr.LifecyclePolicy(
            self._names.name(name),
            repository=repository.name,
            policy=json.dumps(lifecycle_policy(mirror.keep_images)),
            opts=self._names.options(name),
        )
        return repository

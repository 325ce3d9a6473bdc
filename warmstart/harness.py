"""Run the warmstart program under the Pulumi SDK's mock runtime and record what it registers.

The render command and the tests both use this, so what a test asserts is what a reviewer
reads in `plan.json`. The mock monitor records each registration's options (parent,
provider, protect, dependsOn, ignoreChanges) as the engine would receive them; values only
the cloud can know come back as marked, deterministic placeholders.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockMonitor, MockResourceArgs
from pulumi.runtime.settings import ROOT, SETTINGS
from pulumi.runtime.stack import run_in_stack
from pulumi.runtime.sync_await import _sync_await

from warmstart.components.config import load_config
from warmstart.stackfile import PROJECT, StackConfig

SECRET = "[secret]"
ECR_TOKEN = "aws:ecr/getAuthorizationToken:getAuthorizationToken"
CALLER_IDENTITY = "aws:index/getCallerIdentity:getCallerIdentity"
EKS_CLUSTER = "aws:eks/getCluster:getCluster"
STACK_TYPE = "pulumi:pulumi:Stack"


def placeholder(type_: str, name: str, attribute: str) -> str:
    """A value the engine would learn from the cloud; marked so nobody mistakes it for real."""
    return f"<known after apply: {type_} {name}.{attribute}>"


@dataclass(frozen=True)
class Registration:
    """One registered resource, with its inputs and the options a reviewer needs."""

    urn: str
    type: str
    name: str
    custom: bool
    parent: str | None
    provider: str | None
    inputs: dict[str, Any]
    protect: bool
    depends_on: tuple[str, ...]
    ignore_changes: tuple[str, ...]
    delete_before_replace: bool
    aliases: tuple[str, ...] = ()
    """The URNs the resource had before, which the engine adopts instead of replacing."""
    replace_on_changes: tuple[str, ...] = ()
    """Inputs whose change replaces the resource although its provider would update it."""


@dataclass(frozen=True)
class ProgramRun:
    resources: tuple[Registration, ...]
    outputs: dict[str, Any]

    def of_type(self, type_: str) -> list[Registration]:
        return [resource for resource in self.resources if resource.type == type_]

    def get(self, type_: str, name: str) -> Registration:
        matches = [resource for resource in self.of_type(type_) if resource.name == name]
        if len(matches) != 1:
            raise KeyError(f"{len(matches)} resources of type {type_} named {name}")
        return matches[0]


def cloud_outputs(type_: str, name: str, inputs: dict[str, Any]) -> dict[str, Any]:
    """Outputs only the cloud knows, as marked placeholders shaped like the real ones."""

    def known_later(attribute: str) -> str:
        return placeholder(type_, name, attribute)

    if type_ == "docker-build:index:Image":
        return {"digest": "sha256:" + known_later("digest")}
    if not type_.startswith("aws:"):
        return {}
    outputs: dict[str, Any] = {"arn": known_later("arn")}
    if type_ == "aws:ecr/repository:Repository":
        outputs.update(
            repositoryUrl=known_later("repositoryUrl"), registryId=known_later("registryId")
        )
    elif type_ == "aws:eks/cluster:Cluster":
        outputs.update(
            endpoint=known_later("endpoint"),
            certificateAuthority={"data": known_later("certificateAuthority.data")},
            identities=[{"oidcs": [{"issuer": known_later("identities[0].oidcs[0].issuer")}]}],
            vpcConfig={
                **inputs.get("vpcConfig", {}),
                "clusterSecurityGroupId": known_later("vpcConfig.clusterSecurityGroupId"),
            },
        )
    elif type_ == "aws:ec2/launchTemplate:LaunchTemplate":
        outputs.update(latestVersion=known_later("latestVersion"))
    elif type_ == "aws:kms/key:Key":
        outputs.update(keyId=known_later("keyId"))
    elif type_ in ("aws:lb/targetGroup:TargetGroup", "aws:lb/loadBalancer:LoadBalancer"):
        outputs.update(arnSuffix=known_later("arnSuffix"), dnsName=known_later("dnsName"))
    elif type_ == "aws:lambda/function:Function":
        outputs.update(version=known_later("version"))
    return outputs


def existing_cluster(name: str) -> dict[str, Any]:
    """An existing EKS cluster as a lookup returns it: its name, the rest known at `up`."""

    def found(attribute: str) -> str:
        return placeholder(EKS_CLUSTER, name, attribute)

    return {
        "name": name,
        "arn": found("arn"),
        "endpoint": found("endpoint"),
        "certificateAuthorities": [{"data": found("certificateAuthorities[0].data")}],
        "identities": [{"oidcs": [{"issuer": found("identities[0].oidcs[0].issuer")}]}],
        "vpcConfig": {
            "clusterSecurityGroupId": found("vpcConfig.clusterSecurityGroupId"),
            "controlPlaneEgressMode": "",
            "endpointPrivateAccess": True,
            "endpointPublicAccess": True,
            "publicAccessCidrs": [],
            "securityGroupIds": [],
            "subnetIds": [],
            "vpcId": found("vpcConfig.vpcId"),
        },
    }


class _PlaceholderMocks(pulumi.runtime.Mocks):
    """Echo inputs back as state, plus placeholders for what only the cloud knows."""

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict[str, Any]]:
        state = {**args.inputs, **cloud_outputs(args.typ, args.name, args.inputs)}
        return _mock_id(args), state

    def call(self, args: pulumi.runtime.MockCallArgs) -> dict[str, Any]:
        if args.token == ECR_TOKEN:
            # Fetched at run time for pushes to ECR; never part of a plan.
            return {
                "userName": "AWS",
                "password": SECRET,
                "authorizationToken": SECRET,
                "proxyEndpoint": placeholder(args.token, "registry", "proxyEndpoint"),
            }
        if args.token == EKS_CLUSTER:
            return existing_cluster(args.args.get("name", "cluster"))
        if args.token == CALLER_IDENTITY:
            # Who runs `up` is known only then; a placeholder is no identity to judge.
            identity = placeholder(args.token, "caller", "arn")
            return {"arn": identity, "accountId": identity, "userId": identity, "id": identity}
        raise NotImplementedError(f"warmstart makes no other provider calls offline: {args.token}")


def _mock_id(args: MockResourceArgs) -> str:
    metadata = args.inputs.get("metadata") if args.typ.startswith("kubernetes:") else None
    if isinstance(metadata, dict) and isinstance(metadata.get("name"), str):
        namespace = metadata.get("namespace")
        return f"{namespace}/{metadata['name']}" if namespace else metadata["name"]
    return placeholder(args.typ, args.name, "id")


class _RecordingMonitor(MockMonitor):
    def __init__(self, mocks: pulumi.runtime.Mocks, stack: str) -> None:
        super().__init__(mocks)
        self.stack = stack
        self.registrations: list[Registration] = []
        self.stack_outputs: dict[str, Any] = {}

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """URNs as the engine forms them: the parent's whole qualified type (a component's
        chain of types) before the resource's; children of the stack carry none.

        (The SDK's mock prefixes the Stack type and reads settings from another thread.)
        """
        parent_type = parent.split("::")[2] if parent else ""
        if parent_type and parent_type != STACK_TYPE:
            type_ = f"{parent_type}${type_}"
        return f"urn:pulumi:{self.stack}::{PROJECT}::{type_}::{name}"

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.type != STACK_TYPE:
            self.registrations.append(_registration(self, request))
        return super().RegisterResource(request)

    def RegisterResourceOutputs(self, request: Any) -> Any:  # noqa: N802 (gRPC method name)
        if request.urn.split("::")[-2] == STACK_TYPE:
            self.stack_outputs = redact(rpc.deserialize_properties(request.outputs))
        return super().RegisterResourceOutputs(request)


def _registration(monitor: _RecordingMonitor, request: Any) -> Registration:
    return Registration(
        urn=monitor.make_urn(request.parent, request.type, request.name),
        type=request.type,
        name=request.name,
        custom=request.custom,
        parent=request.parent or None,
        provider=_provider_urn(request.provider),
        inputs=redact(rpc.deserialize_properties(request.object)),
        protect=request.protect,
        depends_on=tuple(sorted(set(request.dependencies))),
        ignore_changes=tuple(request.ignoreChanges),
        delete_before_replace=request.deleteBeforeReplace,
        aliases=tuple(_alias_urn(monitor, request, alias) for alias in request.aliases),
        replace_on_changes=tuple(request.replaceOnChanges),
    )


def _alias_urn(monitor: _RecordingMonitor, request: Any, alias: Any) -> str:
    """An alias as the engine resolves it: a URN, or a spec whose blanks are this resource's."""
    if alias.WhichOneof("alias") == "urn":
        return str(alias.urn)
    spec = alias.spec
    parent = "" if spec.noParent else (spec.parentUrn or request.parent)
    return monitor.make_urn(parent, spec.type or request.type, spec.name or request.name)


def _provider_urn(reference: str) -> str | None:
    """A provider reference is `<urn>::<id>`; the id is a placeholder, so keep the URN."""
    if not reference:
        return None
    return "::".join(reference.split("::")[:4])


def redact(value: Any) -> Any:
    """Secrets become a marker and whole-number floats become ints (protobuf has no ints).

    Assets and archives become what they point at, as a reviewer would want to see them.
    """
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return _describe_asset(value)
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return SECRET
        return {key: redact(item) for key, item in value.items()}
    if isinstance(value, list):
        return [redact(item) for item in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _describe_asset(value: pulumi.Asset | pulumi.Archive) -> dict[str, Any]:
    if isinstance(value, pulumi.FileArchive):
        return {"fileArchive": value.path}
    if isinstance(value, pulumi.FileAsset):
        return {"fileAsset": value.path}
    if isinstance(value, pulumi.AssetArchive):
        return {"assetArchive": {name: redact(item) for name, item in sorted(value.assets.items())}}
    return {"asset": type(value).__name__}


def run_program(
    program: Callable[[], None], config: StackConfig, project_dir: Path | None = None
) -> ProgramRun:
    """Run `program` as stack `config.stack` with that config; raises what the program raises.

    `project_dir` is the project's directory as the engine would tell the program (where the
    files the config names must exist); None, as under plain mocks, looks for none."""
    mocks = _PlaceholderMocks()
    monitor = _RecordingMonitor(mocks, config.stack)
    ROOT.set(None)
    SETTINGS.rpc_manager.clear()
    SETTINGS.outputs.clear()
    pulumi.runtime.set_all_config(dict(config.values), sorted(config.secret_keys))
    pulumi.runtime.set_mocks(mocks, PROJECT, config.stack, preview=False, monitor=monitor)
    SETTINGS.root_directory = None if project_dir is None else str(project_dir)
    # set_mocks leaves a finished Stack behind; run in a fresh one, as the language host
    # does, so stack exports are registered when the program ends.
    ROOT.set(None)
    _sync_await(run_in_stack(program))
    return ProgramRun(resources=tuple(monitor.registrations), outputs=monitor.stack_outputs)


def run_stack(config: StackConfig, project_dir: Path | None = None) -> ProgramRun:
    """The warmstart program itself, exactly as `__main__` runs it (in `project_dir`)."""
    return run_program(lambda: stack_program().build_stack(load_config()), config, project_dir)


def stack_program() -> ModuleType:
    """warmstart's program (`components.program`), loaded when a stack is run, not when the
    CLI starts: it needs pulumi-aws (the `aws` extra), which `--version`, `docs`, `schema`
    and `promote` do not."""
    return importlib.import_module("warmstart.components.program")

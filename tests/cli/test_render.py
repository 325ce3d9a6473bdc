"""The render command on every real stack file: schema-valid, deterministic, reviewable."""

import json
import os
import subprocess
import sys

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.crd_schemas import CRD_SCHEMAS
from warmstart.__main__ import main
from warmstart.components.config import parse_config
from warmstart.harness import run_stack
from warmstart.render import kubernetes_objects, manifests_yaml, plan_document
from warmstart.stackfile import PROJECT_ROOT, available_stacks, read_stack_config

STACKS = available_stacks()


def test_every_expected_stack_exists():
    assert STACKS == ["dev", "local", "prod", "render", "staging"]


@pytest.fixture(scope="module", params=STACKS)
def rendered(request):
    config = read_stack_config(request.param)
    run = run_stack(config)
    version = parse_config(config.values, config.secret_keys).cluster.kubernetes_version
    return request.param, version, run


# Custom resources are not in the Kubernetes OpenAPI document; each is checked against a
# strict schema of its own CRD version instead (tests/crd_schemas.py).
def test_manifests_are_strictly_schema_valid(rendered):
    _, version, run = rendered
    objects = kubernetes_objects(run)
    assert objects
    for manifest in objects:
        if (manifest["apiVersion"], manifest["kind"]) in CRD_SCHEMAS:
            jsonschema.validate(manifest, CRD_SCHEMAS[manifest["apiVersion"], manifest["kind"]])
            continue
        # strict: any field the API does not define is an error, not silently dropped
        kubernetes_validate.validate(manifest, f"{version}.0", strict=True)


def test_schema_check_would_catch_an_unknown_field(rendered):
    _, version, run = rendered
    deployment = next(m for m in kubernetes_objects(run) if m["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["initialDelay"] = 3
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(deployment, f"{version}.0", strict=True)


def test_each_stack_runs_two_or_more_services_with_different_budgets(rendered):
    _, _, run = rendered
    deployments = [m for m in kubernetes_objects(run) if m["kind"] == "Deployment"]
    thresholds = {
        m["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]["initialDelaySeconds"]
        for m in deployments
    }
    kinds = {
        next(
            iter(
                set(m["spec"]["template"]["spec"]["containers"][0]["readinessProbe"])
                - {"periodSeconds", "timeoutSeconds", "failureThreshold", "successThreshold"}
            )
        )
        for m in deployments
    }
    assert len(deployments) >= 2
    assert len(thresholds) >= 2
    assert len(kinds) >= 2


def test_render_is_deterministic(rendered):
    stack, _, run = rendered
    again = run_stack(read_stack_config(stack))
    assert manifests_yaml(again) == manifests_yaml(run)
    assert plan_document(again, stack) == plan_document(run, stack)


def test_objects_come_in_apply_order(rendered):
    _, _, run = rendered
    kinds = [m["kind"] for m in kubernetes_objects(run)]
    assert kinds[0] == "Namespace"
    assert (
        kinds.index("ServiceAccount")
        < kinds.index("Deployment")
        < kinds.index("HorizontalPodAutoscaler")
    )


def test_production_pins_digests_and_protects_the_namespace():
    run = run_stack(read_stack_config("prod"))
    images = [
        c["image"]
        for m in kubernetes_objects(run)
        if m["kind"] == "Deployment"
        for c in m["spec"]["template"]["spec"]["containers"]
    ]
    assert images and all("@sha256:" in image for image in images)
    namespace = next(
        e
        for e in plan_document(run, "prod")["resources"]
        if e["type"] == "kubernetes:core/v1:Namespace"
    )
    assert namespace["protect"] is True


def test_cli_writes_both_files(tmp_path, capsys):
    assert main(["render", "--stack", "render", "--out", str(tmp_path)]) == 0
    documents = list(yaml.safe_load_all((tmp_path / "manifests.yaml").read_text()))
    assert [d["kind"] for d in documents].count("Deployment") == 3
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["stack"] == "render"
    assert plan["outputs"]["clusterMode"] == "render"
    deployment = next(e for e in plan["resources"] if e["urn"].endswith("Deployment::hello"))
    assert (
        deployment["parent"]
        == "urn:pulumi:render::warmstart::warmstart:kubernetes:GoService::hello"
    )
    provider = "urn:pulumi:render::warmstart::warmstart:cluster:Cluster$pulumi:providers:kubernetes"
    assert deployment["provider"] == f"{provider}::kubernetes"
    # The program's own Cluster keeps its provider's name: no alias, so no engine replaces
    # what it manages (another Cluster's is `<name>-kubernetes`).
    [provider_entry] = [e for e in plan["resources"] if e["urn"] == deployment["provider"]]
    assert "aliases" not in provider_entry
    assert deployment["ignoreChanges"] == ["spec.replicas"]
    # The namespace name flows in as an input, so the engine orders it first too.
    assert deployment["dependsOn"] == [
        "urn:pulumi:render::warmstart::kubernetes:core/v1:Namespace::warmstart",
        "urn:pulumi:render::warmstart::warmstart:kubernetes:GoService$"
        "kubernetes:core/v1:ServiceAccount::hello",
    ]
    namespace = next(e for e in plan["resources"] if e["type"] == "kubernetes:core/v1:Namespace")
    assert (
        namespace["urn"] == "urn:pulumi:render::warmstart::kubernetes:core/v1:Namespace::warmstart"
    )
    assert (
        namespace["parent"] == "urn:pulumi:render::warmstart::pulumi:pulumi:Stack::warmstart-render"
    )
    assert f"wrote {tmp_path / 'plan.json'}" in capsys.readouterr().out


def test_cli_reports_config_errors_with_exit_2_and_no_traceback(tmp_path):
    stacks = tmp_path / "stacks"
    stacks.mkdir()
    (stacks / "Pulumi.broken.yaml").write_text(
        "config:\n  warmstart:cluster: {mode: render}\n"
        "  warmstart:services:\n    - {name: x, image: i, startup: {budgetSeconds: -3}}\n"
    )
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\nstackConfigDir: stacks\n")
    # the installed console script's way in, from the broken project's own directory
    script = "import sys, warmstart.__main__ as m; sys.exit(m.main(sys.argv[1:]))"
    out = str(tmp_path / "out")
    result = subprocess.run(
        [sys.executable, "-c", script, "render", "--stack", "broken", "--out", out],
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2
    assert result.stderr == (
        "error: invalid stack configuration, 2 problems:\n"
        "  - warmstart:services[0].startup.budgetSeconds: must be > 0 (got -3)\n"
        "  - warmstart:services[0].resources: required\n"
    )
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cli_unknown_stack(capsys):
    assert main(["render", "--stack", "nope"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: no stack file ")
    assert error.endswith("Pulumi.nope.yaml (stacks: dev, local, prod, render, staging)\n")

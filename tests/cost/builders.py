"""Small plan documents and a round-number price table, so expectations are hand-computable."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from warmstart.cost.prices import Prices, load_prices

ROUND_PRICES: dict[str, Any] = {
    "currency": "USD",
    "recorded": "2026-01-01",
    "source": "test",
    "hoursPerMonth": 730,
    "spotDiscount": {"note": "", "families": {"m7g": 0.5, "m6i": 0.6}},
    "fargateSpotDiscount": 0.7,
    "x86Equivalent": {"note": "", "families": {"m7g": "m6i"}},
    "regions": {
        "xx-test-1": {
            "ec2Hour": {"m7g.large": 0.1, "m7g.xlarge": 0.2, "m6i.large": 0.2, "m6i.xlarge": 0.4},
            "ebsGp3GiBMonth": 0.1,
            "eksClusterHour": 0.1,
            "natGatewayHour": 0.05,
            "natGatewayGiB": 0.05,
            "publicIpv4Hour": 0.005,
            "albHour": 0.02,
            "albLcuHour": 0.01,
            "interfaceEndpointHour": 0.01,
            "interfaceEndpointGiB": 0.01,
            "fargateVcpuHour": {"x86_64": 0.05, "arm64": 0.04},
            "fargateGiBHour": {"x86_64": 0.01, "arm64": 0.005},
            "lambdaRequestMillion": 0.2,
            "lambdaGiBSecond": {"x86_64": 0.00002, "arm64": 0.00001},
            "lambdaProvisionedGiBSecond": {"x86_64": 0.000004, "arm64": 0.000002},
            "lambdaProvisionedDurationGiBSecond": {"x86_64": 0.00001, "arm64": 0.000005},
            "ecrStorageGiBMonth": 0.1,
            "cloudwatchAlarmMonth": 0.1,
            "cloudwatchLogsIngestGiB": 0.5,
            "kmsKeyMonth": 1.0,
        }
    },
}


def round_prices(tmp_path: Path, **overrides: Any) -> Prices:
    path = tmp_path / "prices.json"
    path.write_text(json.dumps(ROUND_PRICES))
    return load_prices("xx-test-1", path=path, **overrides)


def ref(type_: str, name: str, attribute: str = "id") -> str:
    return f"<known after apply: {type_} {name}.{attribute}>"


def resource(type_: str, resource_name: str, /, **inputs: Any) -> dict[str, Any]:
    """A plan entry; a `parent_urn` keyword sets its parent, every other keyword is an input."""
    return {
        "urn": f"urn:pulumi:t::warmstart::{type_}::{resource_name}",
        "type": type_,
        "name": resource_name,
        "custom": not type_.startswith("warmstart:"),
        "parent": inputs.pop("parent_urn", None),
        "inputs": inputs,
    }


def plan(*resources: dict[str, Any], stack: str = "t") -> dict[str, Any]:
    return {"stack": stack, "resources": list(resources), "outputs": {}}

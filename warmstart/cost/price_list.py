"""Pick warmstart's prices out of AWS's public price list (bulk API, CSV offer files).

The CSV offer file of a service and region has five metadata rows, then a header, then one
row per price dimension. `pick_prices` reads those rows (from any iterable of lines), so the
selection is tested offline; `scripts/refresh_prices.py` streams the real files into it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

OFFER_URL = (
    "https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/{offer}/current/{region}/index.csv"
)
METADATA_ROWS = 5


@dataclass(frozen=True)
class PriceSpec:
    """One price: the offer it is in, the usage type (without its region prefix), a scale."""

    offer: str
    usage_type: str
    scale: float = 1.0
    product_family: str | None = None


SPECS: dict[str, PriceSpec] = {
    "ebsGp3GiBMonth": PriceSpec("AmazonEC2", "EBS:VolumeUsage.gp3"),
    "eksClusterHour": PriceSpec("AmazonEKS", "AmazonEKS-Hours:perCluster"),
    "natGatewayHour": PriceSpec("AmazonEC2", "NatGateway-Hours"),
    "natGatewayGiB": PriceSpec("AmazonEC2", "NatGateway-Bytes"),
    "publicIpv4Hour": PriceSpec("AmazonVPC", "PublicIPv4:InUseAddress"),
    "albHour": PriceSpec("AWSELB", "LoadBalancerUsage", product_family="Load Balancer-Application"),
    "albLcuHour": PriceSpec("AWSELB", "LCUUsage", product_family="Load Balancer-Application"),
    "interfaceEndpointHour": PriceSpec("AmazonVPC", "VpcEndpoint-Hours"),
    "interfaceEndpointGiB": PriceSpec("AmazonVPC", "VpcEndpoint-Bytes"),
    "fargateVcpuHour.x86_64": PriceSpec("AmazonECS", "Fargate-vCPU-Hours:perCPU"),
    "fargateVcpuHour.arm64": PriceSpec("AmazonECS", "Fargate-ARM-vCPU-Hours:perCPU"),
    "fargateGiBHour.x86_64": PriceSpec("AmazonECS", "Fargate-GB-Hours"),
    "fargateGiBHour.arm64": PriceSpec("AmazonECS", "Fargate-ARM-GB-Hours"),
    "lambdaRequestMillion": PriceSpec("AWSLambda", "Request", scale=1e6),
    "lambdaGiBSecond.x86_64": PriceSpec("AWSLambda", "Lambda-GB-Second"),
    "lambdaGiBSecond.arm64": PriceSpec("AWSLambda", "Lambda-GB-Second-ARM"),
    "lambdaProvisionedGiBSecond.x86_64": PriceSpec("AWSLambda", "Lambda-Provisioned-Concurrency"),
    "lambdaProvisionedGiBSecond.arm64": PriceSpec(
        "AWSLambda", "Lambda-Provisioned-Concurrency-ARM"
    ),
    "lambdaProvisionedDurationGiBSecond.x86_64": PriceSpec(
        "AWSLambda", "Lambda-Provisioned-GB-Second"
    ),
    "lambdaProvisionedDurationGiBSecond.arm64": PriceSpec(
        "AWSLambda", "Lambda-Provisioned-GB-Second-ARM"
    ),
    "ecrStorageGiBMonth": PriceSpec("AmazonECR", "TimedStorage-ByteHrs"),
    "cloudwatchAlarmMonth": PriceSpec("AmazonCloudWatch", "CW:AlarmMonitorUsage"),
    "cloudwatchLogsIngestGiB": PriceSpec("AmazonCloudWatch", "DataProcessing-Bytes"),
    "kmsKeyMonth": PriceSpec("awskms", "KMS-Keys"),
}


def offer_rows(lines: Iterable[str]) -> Iterator[dict[str, str]]:
    """The rows of a CSV offer file as dicts keyed by its header (metadata rows skipped)."""
    reader = csv.reader(lines)
    for _ in range(METADATA_ROWS):
        next(reader, None)
    header = next(reader, None) or []
    for row in reader:
        yield dict(zip(header, row, strict=False))


def _on_demand_first_tier(row: dict[str, str]) -> bool:
    return row.get("TermType") == "OnDemand" and row.get("StartingRange", "0") in ("0", "")


def _usage_matches(row: dict[str, str], usage_type: str) -> bool:
    found = row.get("usageType", "")
    return found == usage_type or found.endswith("-" + usage_type)


def pick_prices(
    offer: str, rows: Iterable[dict[str, str]], instance_types: set[str]
) -> dict[str, float]:
    """Prices of `offer` that warmstart uses: `SPECS` keys, and `ec2Hour.<type>` for EC2."""
    wanted = {key: spec for key, spec in SPECS.items() if spec.offer == offer}
    found: dict[str, float] = {}
    for row in rows:
        if not _on_demand_first_tier(row):
            continue
        if (
            offer == "AmazonEC2"
            and row.get("Instance Type") in instance_types
            and _linux_shared(row)
        ):
            found[f"ec2Hour.{row['Instance Type']}"] = float(row["PricePerUnit"])
            continue
        for key, spec in wanted.items():
            family_ok = spec.product_family in (None, row.get("Product Family"))
            if family_ok and _usage_matches(row, spec.usage_type):
                found[key] = round(float(row["PricePerUnit"]) * spec.scale, 12)
    return found


def _linux_shared(row: dict[str, str]) -> bool:
    """The plain on-demand Linux price: shared tenancy, no licensed software, capacity used."""
    return (
        row.get("Operating System") == "Linux"
        and row.get("Tenancy") == "Shared"
        and row.get("Pre Installed S/W") == "NA"
        and row.get("CapacityStatus") == "Used"
    )


def merge(region_table: dict, found: dict[str, float]) -> dict:
    """The region's table with every found price written at its dotted key."""
    table = {
        key: dict(value) if isinstance(value, dict) else value
        for key, value in region_table.items()
    }
    for dotted, price in sorted(found.items()):
        head, _, tail = dotted.partition(".")
        if tail:
            table.setdefault(head, {})[tail] = price
        else:
            table[head] = price
    return table

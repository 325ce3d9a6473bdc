"""Picking prices out of a CSV offer file shaped like AWS's (five metadata rows, a header)."""

import csv
import io

from warmstart.cost.price_list import merge, offer_rows, pick_prices

HEADER = [
    "SKU",
    "TermType",
    "StartingRange",
    "Unit",
    "PricePerUnit",
    "Product Family",
    "usageType",
    "Instance Type",
    "Operating System",
    "Tenancy",
    "Pre Installed S/W",
    "CapacityStatus",
]


def offer_file(*rows):
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL)
    for meta in (
        ["FormatVersion", "v1.0"],
        ["Disclaimer", "x"],
        ["Publication Date", "2026-01-01"],
        ["Version", "1"],
        ["OfferCode", "AmazonEC2"],
    ):
        writer.writerow(meta)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([row.get(column, "") for column in HEADER])
    return out.getvalue().splitlines(keepends=True)


LINUX = {
    "Operating System": "Linux",
    "Tenancy": "Shared",
    "Pre Installed S/W": "NA",
    "CapacityStatus": "Used",
}


def test_ec2_instance_and_scalar_prices_on_demand_linux_shared_first_tier():
    lines = offer_file(
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.0914",
            "Instance Type": "m7g.large",
            **LINUX,
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.5",
            "Instance Type": "m7g.large",
            **LINUX,
            "Operating System": "Windows",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.05",
            "Instance Type": "m7g.large",
            **LINUX,
            "Tenancy": "Dedicated",
        },
        {
            "TermType": "Reserved",
            "StartingRange": "0",
            "PricePerUnit": "0.03",
            "Instance Type": "m7g.large",
            **LINUX,
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "9",
            "Instance Type": "x1.32xlarge",
            **LINUX,
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.048",
            "usageType": "EU-NatGateway-Hours",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.088",
            "usageType": "EU-EBS:VolumeUsage.gp3",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.5",
            "usageType": "EU-EBS:VolumeUsage.gp2",
        },
    )
    assert pick_prices("AmazonEC2", offer_rows(lines), {"m7g.large"}) == {
        "ec2Hour.m7g.large": 0.0914,
        "natGatewayHour": 0.048,
        "ebsGp3GiBMonth": 0.088,
    }


def test_lambda_tiers_scale_and_product_family_filters():
    lines = offer_file(
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.0000002",
            "usageType": "EU-Request",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.0000133334",
            "usageType": "EU-Lambda-GB-Second-ARM",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "7500000000",
            "PricePerUnit": "0.0000106667",
            "usageType": "EU-Lambda-GB-Second-ARM",
        },
    )
    assert pick_prices("AWSLambda", offer_rows(lines), set()) == {
        "lambdaRequestMillion": 0.2,
        "lambdaGiBSecond.arm64": 0.0000133334,
    }
    elb = offer_file(
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.0252",
            "usageType": "EU-LoadBalancerUsage",
            "Product Family": "Load Balancer-Application",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.0252",
            "usageType": "EU-LoadBalancerUsage",
            "Product Family": "Load Balancer-Network",
        },
        {
            "TermType": "OnDemand",
            "StartingRange": "0",
            "PricePerUnit": "0.03",
            "usageType": "EU-LoadBalancerUsage",
            "Product Family": "Load Balancer",
        },
    )
    assert pick_prices("AWSELB", offer_rows(elb), set()) == {"albHour": 0.0252}


def test_merge_writes_dotted_keys_into_a_copy():
    table = {"ec2Hour": {"m7g.large": 0.1}, "fargateVcpuHour": {"arm64": 0.03}, "kmsKeyMonth": 1.0}
    merged = merge(
        table, {"ec2Hour.m7g.large": 0.2, "fargateVcpuHour.x86_64": 0.04, "kmsKeyMonth": 1.5}
    )
    assert merged == {
        "ec2Hour": {"m7g.large": 0.2},
        "fargateVcpuHour": {"arm64": 0.03, "x86_64": 0.04},
        "kmsKeyMonth": 1.5,
    }
    assert table["ec2Hour"] == {"m7g.large": 0.1}

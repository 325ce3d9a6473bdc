"""Refresh warmstart/cost/prices.json from AWS's public price list (needs a network).

    python scripts/refresh_prices.py --region eu-west-1 [--instance-types m7g.large ...]

Streams each service's CSV offer file for the region (no credentials: the bulk API is
public), keeps the on-demand prices warmstart prices with, and rewrites the region's table
and the `recorded` date. Spot discounts are not in the price list and stay as they are.
Instance types default to those the table already lists. Review the diff before committing.
"""

from __future__ import annotations

import argparse
import datetime
import io
import json
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from warmstart.cost.price_list import OFFER_URL, SPECS, merge, offer_rows, pick_prices
from warmstart.cost.prices import PRICES_FILE


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--region", required=True)
    parser.add_argument("--instance-types", nargs="*", default=None)
    args = parser.parse_args()
    document = json.loads(PRICES_FILE.read_text())
    table = document["regions"].get(args.region, {})
    types = set(
        args.instance_types
        or table.get("ec2Hour")
        or next(iter(document["regions"].values()))["ec2Hour"]
    )
    found: dict[str, float] = {}
    for offer in sorted({spec.offer for spec in SPECS.values()}):
        url = OFFER_URL.format(offer=offer, region=args.region)
        print(f"reading {url}", file=sys.stderr)
        try:
            with urllib.request.urlopen(url, timeout=120) as response:
                lines = io.TextIOWrapper(response, encoding="utf-8", newline="")
                found |= pick_prices(offer, offer_rows(lines), types)
        except OSError as error:
            print(
                f"error: cannot read {url}: {error}; {PRICES_FILE.name} unchanged", file=sys.stderr
            )
            return 1
    missing = sorted(set(SPECS) - set(found)) + sorted(
        f"ec2Hour.{t}" for t in types if f"ec2Hour.{t}" not in found
    )
    if missing:
        print(
            f"not found in the price list (left unchanged): {', '.join(missing)}", file=sys.stderr
        )
    document["regions"][args.region] = merge(table, found)
    document["recorded"] = datetime.date.today().isoformat()
    PRICES_FILE.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {PRICES_FILE}: {len(found)} prices for {args.region}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""IAM linting with parliament, with its known false positives named rather than hidden.

Each entry below is a finding parliament 1.6.4 reports on a correctly scoped statement;
everything else it reports fails the tests, and each entry's test also asserts that the
finding still occurs, so an entry goes stale loudly when parliament is fixed.
"""

from __future__ import annotations

import json
from typing import Any

from parliament import analyze_policy_string

KNOWN_FALSE_POSITIVES = {
    # Its bundled data gives the action no resource type; AWS's Service Authorization
    # Reference lists it with `repository*`, so a repository-scoped grant is right.
    ("RESOURCE_MISMATCH", "ecr:BatchImportUpstreamImage"),
    # AWS lists listener-rule/app* and listener-rule/net*: one call modifies one rule of one
    # kind. parliament demands ARNs of both kinds, so an ALB-rules-only grant is "wrong".
    ("RESOURCE_MISMATCH", "elasticloadbalancing:ModifyRule"),
}


def _is_known(finding: Any) -> bool:
    details = finding.detail if isinstance(finding.detail, list) else [finding.detail]
    return all(
        isinstance(detail, dict) and (finding.issue, detail.get("action")) in KNOWN_FALSE_POSITIVES
        for detail in details
    )


def findings(policy: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(real findings, known false positives) for one policy document."""
    everything = analyze_policy_string(json.dumps(policy)).findings
    return (
        [str(f) for f in everything if not _is_known(f)],
        [str(f) for f in everything if _is_known(f)],
    )

"""IAM linting with parliament, with its one known stale finding named rather than hidden.

parliament 1.6.4's bundled IAM definitions give ecr:BatchImportUpstreamImage no resource
type, so any repository-scoped grant of it is reported as RESOURCE_MISMATCH. AWS's Service
Authorization Reference lists the action with resource type `repository*` (required), so
scoping it to the mirror's repositories is correct; widening it to "*" to please the linter
would be the real mistake.
"""

from __future__ import annotations

import json
from typing import Any

from parliament import analyze_policy_string

STALE_FINDINGS = {("RESOURCE_MISMATCH", "ecr:BatchImportUpstreamImage")}


def _is_stale(finding: Any) -> bool:
    details = finding.detail if isinstance(finding.detail, list) else [finding.detail]
    return all(
        isinstance(detail, dict) and (finding.issue, detail.get("action")) in STALE_FINDINGS
        for detail in details
    )


def findings(policy: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(real findings, known stale findings) for one policy document."""
    everything = analyze_policy_string(json.dumps(policy)).findings
    return (
        [str(f) for f in everything if not _is_stale(f)],
        [str(f) for f in everything if _is_stale(f)],
    )

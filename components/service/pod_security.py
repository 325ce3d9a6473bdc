"""The restricted security context every warmstart pod runs with (Pod Security "restricted").

Shared by GoService and the prewarm DaemonSet so neither can drift to a weaker setting.
"""

from __future__ import annotations

from typing import Any

NONROOT_UID = 65532  # distroless `nonroot`; scratch images get the same numeric user


def container_security_context() -> dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def pod_security_context() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": NONROOT_UID,
        "runAsGroup": NONROOT_UID,
        "seccompProfile": {"type": "RuntimeDefault"},
    }

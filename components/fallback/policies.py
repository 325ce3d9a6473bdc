"""IAM documents the fallback paths write; pure so each is tested and linted."""

from __future__ import annotations

from typing import Any

from warmstart.components.iam import service_trust_policy

ECS_TASK_EXECUTION_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


def ecs_tasks_trust_policy() -> dict[str, Any]:
    return service_trust_policy("ecs-tasks.amazonaws.com", tag_session=False)

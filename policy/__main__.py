"""The warmstart policy pack: `pulumi preview --policy-pack policy` (CrossGuard).

Each policy wraps one pure rule of `rules.py`; all are mandatory. Production-only rules read
`production` from the pack's config: `--policy-pack-config policy/production.json`.
"""

from collections.abc import Callable

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyPack,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from rules import RULES, Resource, Rule

ReportViolation = Callable[..., None]

PRODUCTION_SCHEMA = {"properties": {"production": {"type": "boolean", "default": False}}}
INGRESS_SCHEMA = {
    "properties": {
        "listenerPorts": {"type": "array", "items": {"type": "integer"}, "default": [80, 443]}
    }
}
SCHEMAS = {
    "images-by-digest": PRODUCTION_SCHEMA,
    "stateful-protected": PRODUCTION_SCHEMA,
    "no-open-ingress": INGRESS_SCHEMA,
}


def policy(name: str, description: str, rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        resource = Resource(args.resource_type, args.name, args.props, bool(args.opts.protect))
        for problem in rule(resource, args.get_config() or {}):
            report_violation(problem)

    return ResourceValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        config_schema=_schema(name),
    )


def _schema(name: str) -> PolicyConfigSchema | None:
    schema = SCHEMAS.get(name)
    return PolicyConfigSchema(properties=schema["properties"]) if schema else None


PolicyPack(
    name="warmstart",
    enforcement_level=EnforcementLevel.MANDATORY,
    policies=[policy(name, description, rule) for name, (description, rule) in RULES.items()],
)

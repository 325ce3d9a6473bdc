"""Small hand-built `ResourceChange`s for the risk rules' tests."""

from warmstart.diff.changes import UPDATE, Change, ResourceChange, input_changes


def resource(inputs, protect=False):
    return {"protect": protect, "inputs": inputs}


def changed(type_, name, before, after, *, operation=UPDATE, protect=(False, False)):
    """`type_ name` going from inputs `before` to inputs `after` (None: absent)."""
    was = None if before is None else resource(before, protect[0])
    now = None if after is None else resource(after, protect[1])
    changes = input_changes(before or {}, after or {}) if was and now else ()
    if was and now and protect[0] != protect[1]:
        changes += (Change("(option) protect", protect[0], protect[1]),)
    return ResourceChange(f"urn:{type_}::{name}", type_, name, operation, changes, was, now)


def one_change(type_, name, path, before, after, *, operation=UPDATE):
    """A change of the one input `path`, without the resource's other inputs."""
    return ResourceChange(
        f"urn:{type_}::{name}",
        type_,
        name,
        operation,
        (Change(path, before, after),),
        resource({}),
        resource({}),
    )

"""#21 item 24d: a path the config names must exist in the project (build contexts,
Dockerfiles, a kubeconfig given as a path), or the stack file is refused with one line;
paths made later (render output, the Lambda zip) say who makes them.

The fields are found by walking the models for names that look like paths.
"""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.config.model_walk import config_models
from tests.conftest import service, stack_values
from warmstart.__main__ import main
from warmstart.components.config import ConfigError, parse_config
from warmstart.components.config.paths import CreatedLater, ProjectPath
from warmstart.stackfile import config_from_mapping

PATH_WORDS = ("dir", "path", "file", "context", "package", "kubeconfig", "zip")
# Fields whose names look like paths but name something else, and what.
NOT_PATHS = {
    ("ClusterConfig", "context"): "a kubeconfig context's name",
    ("RoutesConfig", "paths"): "URL path patterns of a listener rule",
}
REGISTRY = {"server": "registry.local"}


def path_like_fields():
    for model in config_models():
        for name, info in model.model_fields.items():
            if any(word in name.lower() for word in PATH_WORDS):
                yield model.__name__, info.alias or name, info


def test_every_path_field_is_checked_or_says_who_makes_it():
    marked = {}
    for model, key, info in path_like_fields():
        markers = [m for m in info.metadata if isinstance(m, ProjectPath | CreatedLater)]
        if (model, key) in NOT_PATHS:
            assert markers == [], (model, key)
            continue
        assert len(markers) == 1, (model, key)
        marked[model, key] = type(markers[0]).__name__
    assert marked == {
        ("BuildConfig", "context"): "ProjectPath",
        ("BuildConfig", "dockerfile"): "ProjectPath",
        ("WarmstartConfig", "kubeconfig"): "ProjectPath",
        ("ClusterConfig", "renderDir"): "CreatedLater",
        ("LambdaFallbackConfig", "package"): "CreatedLater",
    }


def project(tmp_path: Path, *directories: str, dockerfiles: bool = True) -> Path:
    for directory in directories:
        (tmp_path / directory).mkdir(parents=True)
        if dockerfiles:
            (tmp_path / directory / "Dockerfile").write_text("FROM scratch\n")
    return tmp_path


def problems_in(project_dir: Path | None, **overrides) -> list[str]:
    raw = config_from_mapping("t", stack_values(**overrides))
    try:
        parse_config(raw.values, raw.secret_keys, project_dir=project_dir)
    except ConfigError as error:
        return [str(problem) for problem in error.problems]
    return []


def built(context: str, **build) -> dict:
    return {
        "services": [
            {
                **service(image=None),
                "build": {"context": context, **build},
            }
        ],
        "registry": REGISTRY,
    }


def test_a_build_context_that_points_nowhere(tmp_path):
    root = project(tmp_path, "services")
    assert problems_in(root, **built("services")) == []
    assert problems_in(root, **built("sevrices")) == [
        f'warmstart:services[0].build.context: no such directory in the project ({root}) (got "sevrices")'
    ]
    assert problems_in(None, **built("sevrices")) == []  # no project: cost, diff, promote


def test_a_context_that_is_a_file_and_dockerfiles_that_are_not_there(tmp_path):
    root = project(tmp_path, "services", "bare", dockerfiles=False)
    (root / "services" / "Dockerfile").write_text("FROM scratch\n")
    (root / "notes.txt").write_text("x")
    assert problems_in(root, **built("notes.txt")) == [
        'warmstart:services[0].build.context: a file, not a directory (got "notes.txt")'
    ]
    assert problems_in(root, **built("services", dockerfile="services/Dockerfile.sleep")) == [
        "warmstart:services[0].build.dockerfile: no such file in the project "
        f'({root}) (got "services/Dockerfile.sleep")'
    ]
    assert problems_in(root, **built("bare")) == [
        "warmstart:services[0].build.dockerfile: not set, and its default ({context}/Dockerfile) "
        f'no such file in the project ({root}) (got "bare/Dockerfile")'
    ]


def test_the_prewarm_sleep_build_is_held_to_it_too(tmp_path):
    root = project(tmp_path, "services")
    prewarm = {"enabled": True, "sleepBuild": {"context": "sleep", "target": "sleep"}}
    assert problems_in(root, prewarm=prewarm, registry=REGISTRY) == [
        f'warmstart:prewarm.sleepBuild.context: no such directory in the project ({root}) (got "sleep")'
    ]


@pytest.mark.parametrize(
    ("kubeconfig", "ok"),
    [
        ("kube/config", True),
        ("kube/missing", False),
        ("apiVersion: v1\nkind: Config\n", True),  # the content itself
        ('{"apiVersion": "v1"}', True),
        ("<secret: encrypted in the stack file>", True),  # checked once Pulumi decrypts it
    ],
)
def test_a_kubeconfig_path_must_exist(tmp_path, kubeconfig, ok):
    (tmp_path / "kube").mkdir()
    (tmp_path / "kube" / "config").write_text("apiVersion: v1\n")
    raw = config_from_mapping(
        "t",
        stack_values(cluster={"mode": "existing", "context": "c"}, kubeconfig={"secure": "v1:abc"}),
    )
    raw.values["warmstart:kubeconfig"] = kubeconfig
    try:
        parse_config(raw.values, raw.secret_keys, project_dir=tmp_path)
        found = []
    except ConfigError as error:
        found = [str(problem) for problem in error.problems]
    expected = (
        "warmstart:kubeconfig: neither a kubeconfig nor the path of an existing file (paths "
        f'are relative to the project, {tmp_path}) (got "(set)")'
    )
    assert found == ([] if ok else [expected])


def test_paths_made_later_are_not_looked_for(tmp_path):
    """render_dir is the render provider's output; the Lambda zip is `make lambda`'s."""
    assert problems_in(tmp_path, cluster={"mode": "render", "renderDir": "out/here"}) == []


names = st.text(alphabet="abcdefghij-_", min_size=1, max_size=6)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sets(names, max_size=4), st.lists(names, min_size=1, max_size=3))
def test_any_set_of_contexts_is_refused_exactly_where_one_is_missing(tmp_path, present, used):
    root = tmp_path / f"p{abs(hash((frozenset(present), tuple(used))))}"
    root.mkdir()
    for name in present:
        (root / name).mkdir()
        (root / name / "Dockerfile").write_text("FROM scratch\n")
    services = [
        {**service(name=f"s{i}", image=None), "build": {"context": context}}
        for i, context in enumerate(used)
    ]
    found = problems_in(root, services=services, registry=REGISTRY)
    missing = [i for i, context in enumerate(used) if context not in present]
    assert [p.split(":")[1] for p in found] == [f"services[{i}].build.context" for i in missing]


def test_render_refuses_a_context_outside_the_project_tree(tmp_path, capsys):
    """The CLI checks paths in the project it renders, not in the directory it runs in."""
    (tmp_path / "Pulumi.yaml").write_text("name: team\nruntime: python\n")
    (tmp_path / "Pulumi.t.yaml").write_text(
        "config:\n"
        "  warmstart:cluster: {mode: render}\n"
        "  warmstart:registry: {server: registry.local}\n"
        "  warmstart:services:\n"
        "    - name: hello\n"
        "      build: {context: services}\n"
        "      startup: {budgetSeconds: 5}\n"
        "      resources:\n"
        "        requests: {cpu: 50m, memory: 32Mi}\n"
        "        limits: {cpu: 250m, memory: 64Mi}\n"
    )
    out = tmp_path / "out"
    assert main(["--project-dir", str(tmp_path), "render", "--stack", "t", "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "error: invalid stack configuration, 1 problem:\n"
        f"  - warmstart:services[0].build.context: no such directory in the project "
        f'({tmp_path.resolve()}) (got "services")\n'
    )
    project(tmp_path, "services")
    assert main(["--project-dir", str(tmp_path), "render", "--stack", "t", "--out", str(out)]) == 0

"""`warmstart.components`: every exported name resolves, and the Kubernetes components load
without the `aws` extra (pulumi-aws), which only the AWS components need."""

import subprocess
import sys

from warmstart import components
from warmstart.stackfile import PROJECT_ROOT


def test_every_exported_name_is_the_component_or_args_it_says():
    assert sorted(components.__all__) == sorted(components._MODULES)
    for name in components.__all__:
        assert getattr(components, name).__name__ == name


def test_the_kubernetes_components_and_the_provider_need_no_aws():
    probe = (
        "import sys; from warmstart.components import GoService, ImagePrewarm, ProxyMirror, ServiceImage;"
        "import warmstart.provider; print('pulumi_aws' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    assert result.stdout == "False\n"

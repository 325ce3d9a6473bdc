"""One security-group rule per distinct port, described within AWS's 255 characters."""

from tests.conftest import service
from warmstart.components.config.service import ServiceConfig
from warmstart.components.ports import port_rule_description, services_by_port


def parsed(**overrides) -> ServiceConfig:
    return ServiceConfig.model_validate(service(**overrides))


def test_services_are_grouped_by_port_ascending_in_config_order():
    services = [
        parsed(name="b"),
        parsed(name="grpc", port=9090),
        parsed(name="a"),
        parsed(name="web", port=8081),
    ]
    assert services_by_port(services) == {8080: ["b", "a"], 8081: ["web"], 9090: ["grpc"]}


def test_descriptions_name_the_services_while_they_fit():
    assert port_rule_description("targets", 8080, ["a", "b"]) == "targets on 8080: a, b"
    many = [f"service-{index:03d}" for index in range(30)]
    assert port_rule_description("targets", 8080, many) == "targets on 8080: 30 services"
    fits = [f"s{index}" for index in range(40)]
    text = port_rule_description("targets", 8080, fits)
    assert len(text) <= 255 and text.endswith("s38, s39")

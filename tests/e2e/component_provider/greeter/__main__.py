"""Hosts the Greeting component: the SDK infers the provider's schema from its annotations."""

from greeting import Greeting
from pulumi.provider.experimental import component_provider_host

if __name__ == "__main__":
    component_provider_host(name="greeter", components=[Greeting])

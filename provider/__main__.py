"""The component provider's entry point; the components are in warmstart/provider."""

from warmstart.provider import serve

if __name__ == "__main__":
    serve()

"""Speak to the policy pack as the Pulumi engine does: the CrossGuard analyzer gRPC protocol.

Run with the pack's own interpreter (policy/.venv), since the stubs come with its SDK:

    policy/.venv/bin/python tests/policy/analyzer_client.py policy [--config FILE] < resources.json

Starts the pack the way the CLI's language host does (`python <pack dir> <engine address>`;
the pack serves on a port it prints), asks for its info, configures it, analyzes every
resource on stdin (a JSON list of {type, name, urn, inputs, protect}) and prints the info
and the diagnostics as JSON. Used by tests/policy/test_pack.py and the e2e test.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

LEVELS = {0: "advisory", 1: "mandatory", 2: "disabled", 3: "remediate"}


def structure(value: dict) -> struct_pb2.Struct:
    message = struct_pb2.Struct()
    message.update(value)
    return message


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("pack", type=Path)
    parser.add_argument("--config", type=Path)
    args = parser.parse_args()
    resources = json.load(sys.stdin)
    pack = subprocess.Popen(
        [sys.executable, "-u", str(args.pack.resolve()), "127.0.0.1:0"],
        cwd=args.pack,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        port = int(pack.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            analyzer = analyzer_pb2_grpc.AnalyzerStub(channel)
            info = analyzer.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
            configs = json.loads(args.config.read_text()) if args.config else {}
            analyzer.Configure(
                analyzer_pb2.ConfigureAnalyzerRequest(
                    policyConfig={
                        name: analyzer_pb2.PolicyConfig(
                            enforcementLevel=analyzer_pb2.MANDATORY, properties=structure(config)
                        )
                        for name, config in configs.items()
                    }
                ),
                timeout=30,
            )
            diagnostics = []
            for resource in resources:
                response = analyzer.Analyze(
                    analyzer_pb2.AnalyzeRequest(
                        type=resource["type"],
                        name=resource["name"],
                        urn=resource["urn"],
                        properties=structure(resource["inputs"]),
                        options=analyzer_pb2.AnalyzerResourceOptions(protect=resource["protect"]),
                    ),
                    timeout=30,
                )
                diagnostics += [
                    {
                        "policy": d.policyName,
                        "message": d.message,
                        "enforcement": LEVELS[d.enforcementLevel],
                        "urn": d.urn,
                    }
                    for d in response.diagnostics
                ]
    finally:
        pack.terminate()
        pack.wait(timeout=30)
    policies = {p.name: LEVELS[p.enforcementLevel] for p in info.policies}
    print(json.dumps({"pack": info.name, "policies": policies, "diagnostics": diagnostics}))
    return 0


if __name__ == "__main__":
    sys.exit(main())

# warmstart — one entry point for people and CI. Everything installs into the repo:
# .venv (Python), build/ (Go binaries), rendered/ (render output).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STACK ?= local
GO_BUILD_FLAGS := -trimpath -ldflags "-s -w -buildid="
GO_ENV := CGO_ENABLED=0

TOOLCHAIN := scripts/toolchain.sh
ACTIONLINT_VERSION := v1.7.7
ACTIONLINT := build/tools/actionlint-$(ACTIONLINT_VERSION)/actionlint
SHELL_SCRIPTS := .ci/run $(wildcard scripts/*.sh scripts/sandbox/*.sh)

.PHONY: bench-pods bench-kubelets help venv policy-venv test lint test-python test-go docs schema examples render build lambda lambda-host bench bench-images toolchain sandbox up down e2e clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed ## create .venv with pinned dependencies

# The policy pack runs in a virtualenv of its own (pulumi-policy pins its own SDK).
policy/.venv/.installed: policy/requirements.txt
	$(PYTHON) -m venv policy/.venv
	policy/.venv/bin/python -m pip install --quiet --disable-pip-version-check -r policy/requirements.txt
	touch $@

policy-venv: policy/.venv/.installed ## the CrossGuard policy pack's virtualenv (policy/)

test: lint test-python test-go ## everything CI checks: lint, Python tests, Go tests

lint: venv $(ACTIONLINT) ## ruff, gofmt, go vet, actionlint and shellcheck (when installed)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	@unformatted=$$(gofmt -l services scripts/toolchain); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	cd services && go vet ./...
	$(ACTIONLINT) -no-color -oneline
	@if command -v shellcheck >/dev/null; then shellcheck $(SHELL_SCRIPTS); \
	  else echo "shellcheck not installed: shell scripts not checked"; fi

# actionlint is a Go module: built once per version into build/tools through the module proxy.
$(ACTIONLINT):
	GOBIN=$(abspath $(dir $@)) GOFLAGS=-mod=mod go install github.com/rhysd/actionlint/cmd/actionlint@$(ACTIONLINT_VERSION)

test-python: venv policy-venv ## pytest (component, render, schema, property tests)
	$(PY) -m pytest -m "not e2e"

test-go: ## go test for the services module
	cd services && go test -tags nethttpomithttp2 ./...

docs: venv ## regenerate docs/configuration.md and docs/components.md from the code
	$(PY) -m warmstart docs

schema: venv ## regenerate schema/warmstart-stack.schema.json (editor support for stack files) from the config models
	$(PY) -m warmstart schema

examples: venv ## re-render examples/*/expected after a change to what warmstart produces
	$(PY) -m warmstart examples

render: venv ## offline render of STACK (default local) into rendered/STACK
	$(PY) -m warmstart render --stack $(STACK)

build: ## static Go binaries into build/
	cd services && $(GO_ENV) go build -tags nethttpomithttp2 $(GO_BUILD_FLAGS) -o ../build/hello ./cmd/hello
	cd services && $(GO_ENV) go build $(GO_BUILD_FLAGS) -o ../build/sleep ./cmd/sleep
	cd services && $(GO_ENV) go build $(GO_BUILD_FLAGS) -o ../build/ledger ./cmd/ledger
	cd services && $(GO_ENV) go build $(GO_BUILD_FLAGS) -o ../build/edge-proxy ./cmd/edge-proxy

lambda: venv ## the Lambda fallback: bootstrap for provided.al2023 arm64, zipped deterministically
	cd services && $(GO_ENV) GOOS=linux GOARCH=arm64 go build -tags lambda.norpc,nethttpomithttp2 \
	  $(GO_BUILD_FLAGS) -o ../build/lambda/bootstrap ./cmd/lambda
	$(PY) -m warmstart package-lambda build/lambda/bootstrap build/lambda/hello.zip

lambda-host: ## the same bootstrap for this machine's architecture, for the cold-start benchmark
	cd services && $(GO_ENV) go build -tags lambda.norpc,nethttpomithttp2 $(GO_BUILD_FLAGS) \
	  -o ../build/lambda-host/bootstrap ./cmd/lambda

bench: venv build lambda lambda-host ## benchmarks: program evaluation and Go start-up (reported, not asserted)
	$(PY) -m bench.program_eval
	$(PY) -m bench.go_startup build/hello
	$(PY) -m bench.sleep_footprint build/sleep
	$(PY) -m bench.prewarm_cost
	$(PY) -m bench.lambda_coldstart build/lambda-host/bootstrap

bench-images: venv sandbox ## image sizes and build times (cold, cached, one-line change) with BuildKit
	@eval "$$(scripts/sandbox/buildkit.sh env)"; $(PY) -m bench.images --registry "$$WARMSTART_REGISTRY" \
	  --buildctl "$$WARMSTART_BUILDCTL" --go-image "$$WARMSTART_GO_IMAGE"

bench-pods: venv ## pod create -> Ready on the local cluster, 5 scenarios (after `make up`)
	@if ! kubectl --context warmstart-local get --raw /readyz >/dev/null 2>&1; then \
	  eval "$$(scripts/sandbox/cluster.sh env)"; export KUBECONFIG; fi; \
	$(PY) -m bench.pod_start --context warmstart-local

# The kubelet versions are measured in the order given; the one that ran before runs again after.
KUBELETS ?= v1.36.1,v1.35.4
bench-kubelets: venv ## SANDBOX-ONLY: bench-pods under each of KUBELETS on one control plane and runtime (after `make up`)
	@eval "$$(scripts/sandbox/cluster.sh env)"; export KUBECONFIG; \
	$(PY) -m bench.kubelets --context warmstart-local --kubelets "$(KUBELETS)"

toolchain: ## SANDBOX-ONLY: build pulumi, its Python host, the Kubernetes and Docker Build providers
	$(TOOLCHAIN) build

up: venv toolchain ## the local stack on a cluster here (kind, or the sandbox's): builds, deploys, answers
	scripts/local.sh up

down: ## stop exactly what `make up` started (state and cluster data are kept)
	scripts/local.sh down

sandbox: ## SANDBOX-ONLY: BuildKit, a buildx builder and a registry on 127.0.0.1:5000
	scripts/sandbox/buildkit.sh start

# Builds push to WARMSTART_REGISTRY with WARMSTART_BUILDER; unset, the sandbox's are used,
# and so is the sandbox cluster's kubeconfig where context warmstart-local does not answer.
e2e: venv policy-venv toolchain ## end-to-end tests: the real engine, BuildKit builds, the local stack on a cluster
	@if [ -z "$${WARMSTART_REGISTRY-}" ]; then eval "$$(scripts/sandbox/buildkit.sh env)"; fi; \
	if ! kubectl --context warmstart-local get --raw /readyz >/dev/null 2>&1; then \
	  eval "$$(scripts/sandbox/cluster.sh env)"; fi; \
	export WARMSTART_REGISTRY WARMSTART_BUILDER WARMSTART_GO_IMAGE KUBECONFIG; \
	$(PY) -m pytest -m e2e

clean: ## remove build output (keeps .venv)
	rm -rf build rendered

// Wrapper module: builds BuildKit (buildkitd, buildctl) and the buildx CLI plugin from their
// published Go modules. SANDBOX-ONLY (see scripts/sandbox/buildkit.sh); real users have
// Docker's BuildKit and buildx. The versions are the ones the Docker Build provider links.
module warmstart.local/toolchain/buildkit

go 1.26

require (
	github.com/docker/buildx v0.35.0
	github.com/moby/buildkit v0.31.0
)

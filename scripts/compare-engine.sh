#!/usr/bin/env bash
# `pulumi up` the STACK (default render; `local` for revisions from before it was split
# off) from REV, then `pulumi preview --expect-no-changes` from the working tree against the
# same state: a refactor that claims "no URN, input or
# option changed" proves it with the real engine, not only with renders.
#
# Needs a pulumi CLI with the stack's plugins (scripts/toolchain.sh builds one here) and a
# stack whose `up` is harmless (the render stack writes YAML to a directory). State lives
# in a temporary file backend; nothing in the repository changes.
#
# Usage: scripts/compare-engine.sh REV [STACK]   (default: render)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:?usage: $0 REV [STACK]}
stack=${2:-render}
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

eval "$("$repo/scripts/toolchain.sh" env)"
export PATH="$repo/.venv/bin:$PATH" PULUMI_BACKEND_URL="file://$work/state"
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE-local-stack-only}"
mkdir -p "$work/state"
git -C "$repo" worktree add --detach --quiet "$work/old" "$rev"
ln -s "$repo/.venv" "$work/old/.venv"

echo "== pulumi up --stack $stack at $rev"
(cd "$work/old" && pulumi stack select --create "$stack" --non-interactive >/dev/null \
  && pulumi up --stack "$stack" --yes --non-interactive --skip-preview >/dev/null)
echo "== pulumi preview --expect-no-changes from the working tree"
cd "$repo"
pulumi preview --stack "$stack" --expect-no-changes --non-interactive --diff

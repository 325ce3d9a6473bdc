#!/usr/bin/env bash
# Render every stack at REV (default HEAD) and in the working tree, and fail on any byte of
# difference in manifests.yaml or plan.json. A refactor that claims "no behaviour change"
# proves it with this: the plans carry every URN, input and resource option. A plan whose
# bytes differ passes when the only change is resources renamed with an alias to their old
# URN (scripts/compare_plans.py: the engine adopts those, nothing replaced or deleted).
#
# Usage: scripts/compare-renders.sh [REV]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
rev=${1:-HEAD}
python=${PYTHON:-$repo/.venv/bin/python}
work=$(mktemp -d)
trap 'git -C "$repo" worktree remove --force "$work/old" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

git -C "$repo" worktree add --detach --quiet "$work/old" "$rev"
status=0
for stack_file in "$repo"/stacks/Pulumi.*.yaml; do
  stack=${stack_file##*/Pulumi.}
  stack=${stack%.yaml}
  (cd "$work/old" && "$python" -m warmstart render --stack "$stack" --out "$work/before/$stack" >/dev/null)
  (cd "$repo" && "$python" -m warmstart render --stack "$stack" --out "$work/after/$stack" >/dev/null)
  for file in manifests.yaml plan.json; do
    texts=()  # manifests are compared as text, with the plans' renames applied
    [ "$file" = plan.json ] || texts=("$work/before/$stack/$file" "$work/after/$stack/$file")
    if cmp -s "$work/before/$stack/$file" "$work/after/$stack/$file"; then
      echo "same       $stack/$file ($(wc -c <"$work/after/$stack/$file") bytes)"
    elif verdict=$("$python" "$repo/scripts/compare_plans.py" \
        "$work/before/$stack/plan.json" "$work/after/$stack/plan.json" "${texts[@]}"); then
      echo "aliased    $stack/$file:$verdict"
    else
      echo "DIFFERENT  $stack/$file"
      echo "${verdict:-}" | head -20
      diff -u "$work/before/$stack/$file" "$work/after/$stack/$file" | head -40 || true
      status=1
    fi
  done
done
exit $status

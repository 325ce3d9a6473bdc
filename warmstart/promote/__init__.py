"""`python -m warmstart promote --from SOURCE --to TARGET`: the exact images, nothing else.

- `plan`: which digests the source runs, where they land in the target (pure);
- `registry`: the byte-for-byte copy when the two stacks use different registries;
- `cli`: reads the source (its outputs, else its stack file), copies, rewrites and validates
  the target stack file, shows the diff.
"""

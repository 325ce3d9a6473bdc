"""`python -m warmstart diff`: what a pull request changes in every stack, as one PR comment.

- `changes`: two plan documents -> per-resource create / update / replace / delete, with the
  changed input paths; `replacement`: which changed inputs force a replacement;
- `risks`: the changes a reviewer must not miss, in plain words;
- `comment`: the Markdown comment, summary first, always under GitHub's size limit;
- `cli`: renders the base revision and the working tree offline and ties it together.
"""

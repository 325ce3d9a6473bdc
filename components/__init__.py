"""warmstart's Pulumi components, one subpackage per concern of the architecture.

`program.build_stack` assembles them from a parsed `config.WarmstartConfig`. Inside each
concern, the ComponentResource only registers resources; every number, name and document it
needs comes from a pure module beside it (`spec`, `plan`, `policies`, ...), tested on its own.
Shared pure modules sit here: `quantities` (Kubernetes quantities), `image_reference`
(parsing and mirror rewriting), `iam` (documents every concern's roles use).
"""

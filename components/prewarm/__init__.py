"""DaemonSets that keep every image of the stack on every node (`image_prewarm`), built from
plain API dicts (`spec`)."""

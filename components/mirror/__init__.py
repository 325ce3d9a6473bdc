"""Pull-through mirrors: the ECR pull-through cache and the services' own repositories
(`registry_mirror`, with the lifecycle and IAM documents of `policies`), or mirrors the
operator runs for clusters without ECR (`proxy_mirror`)."""

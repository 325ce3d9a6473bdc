"""The ECR pull-through cache and the services' own repositories (`registry_mirror`), with the
lifecycle and IAM documents they need (`policies`)."""

"""Paths that serve while the cluster cannot: Fargate Spot tasks (`fargate`, `fargate_spec`) and
Lambda functions (`lambda_fallback`), with their IAM documents (`policies`)."""

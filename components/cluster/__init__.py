"""Where the Kubernetes objects go: render, an existing cluster, or EKS with its VPC, node
groups, add-ons and the AWS Load Balancer Controller. `cluster.Cluster` owns the provider."""

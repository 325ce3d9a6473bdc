"""One Go service on Kubernetes (`go_service`): its objects (`spec`), probes derived from its
start-up budget (`probes`), Go runtime settings (`goruntime`), pod security (`pod_security`)."""

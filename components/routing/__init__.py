"""The stack's load balancer (`service_routing`), its alarm-driven failover (`failover`), and the
pure weights, health checks and names behind them (`plan`, `policies`)."""

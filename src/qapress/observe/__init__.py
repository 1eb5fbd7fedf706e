"""Running qapress in the open: Prometheus metrics, request and job logs, liveness and readiness."""

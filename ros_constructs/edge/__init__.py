"""Network edge: how traffic reaches the release (routers, routes, gateways)."""

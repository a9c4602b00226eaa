"""Stack-wide monitoring (ServiceMonitors, dashboards): not built yet; component rules live with their tier."""

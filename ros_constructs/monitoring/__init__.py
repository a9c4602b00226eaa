"""Stack-wide monitoring: a ServiceMonitor per metrics Service, availability alerts and a Grafana
dashboard (``MonitoringChart``). Component alert rules live with their tier."""

"""The Cost Management (Koku) tier: env table, API and router, worker pools, beat, services."""

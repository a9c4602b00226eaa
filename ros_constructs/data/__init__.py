"""The data stores (PostgreSQL, cache, object storage, Kafka) and the typed connections to them."""

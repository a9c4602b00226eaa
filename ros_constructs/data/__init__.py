"""The data stores (PostgreSQL, cache, object storage, Kafka) and the typed connections to them.

Today the stores are expected at the hosts the connections name; the InfraChart that deploys
them (internal, CloudNativePG, MinIO/ODF, Strimzi) will live here too.
"""

"""``DataStoresChart``: the data stores the release runs or asks an operator for, per mode.

``external`` stores deploy nothing (NOTES.txt names them); the others become the objects below.
Every client reads the same :mod:`connections`, so what this chart creates and what the pods
point at cannot drift apart.
"""

from __future__ import annotations

import constructs

from ..core.tree import ReleaseChart
from ..release import Release, library_version
from .cache import CacheServer
from .kafka import StrimziKafka
from .object_storage import BucketClaims, MinioBuckets, MinioServer, S3ClientConfig
from .postgres import CloudNativePgCluster, DatabaseEnsureJob, PostgresServer
from .store import DataStore


class DataStoresChart(ReleaseChart):
    """PostgreSQL, the cache, object storage and Kafka resources of one release."""

    def __init__(self, scope: constructs.Construct, id: str, *, release: Release) -> None:
        super().__init__(scope, id, namespace=release.namespace)
        values, stores = release.values, release.connections
        images = values.images
        postgres = DataStore(release=release, app="postgresql", image=images.postgresql)
        if values.database.mode == "internal":
            PostgresServer(self, "Database", store=postgres, db=stores.database)
        elif values.database.mode == "cloudnativepg":
            CloudNativePgCluster(self, "Database", store=postgres, db=stores.database)
        if values.database.mode != "external":
            DatabaseEnsureJob(self, "DatabaseEnsure", store=postgres, db=stores.database)

        if values.cache.mode == "deploy":
            engine = release.platform.cache_engine
            image = images.valkey if engine == "valkey" else images.redis
            cache = DataStore(release=release, app=engine, image=image)
            CacheServer(self, "Cache", store=cache, cache=stores.cache)

        s3 = stores.object_storage
        clients = DataStore(release=release, app="object-storage", version=library_version())
        S3ClientConfig(self, "S3Config", store=clients, s3=s3)
        if s3.mode == "minio":
            minio = DataStore(release=release, app="minio", image=images.minio)
            MinioServer(self, "Minio", store=minio, s3=s3)
            MinioBuckets(self, "MinioBuckets", store=minio, s3=s3)
        elif s3.mode == "odf":
            BucketClaims(self, "BucketClaims", store=clients, s3=s3)

        if values.kafka.mode == "strimzi":
            kafka = DataStore(release=release, app="kafka", version=values.kafka.strimzi.broker.version)
            StrimziKafka(self, "Kafka", store=kafka, kafka=stores.kafka, clients=release.kafka_clients)

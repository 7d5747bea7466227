"""A real ``distributed.LocalCluster`` and its client, for the Dask tests."""

import logging
from contextlib import contextmanager


@contextmanager
def local_client(silence_logs=logging.ERROR, **cluster_options):
    """A client of a fresh ``LocalCluster(**cluster_options)``, closed after use."""
    from distributed import Client, LocalCluster

    cluster = LocalCluster(dashboard_address=None, silence_logs=silence_logs, **cluster_options)
    client = Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()

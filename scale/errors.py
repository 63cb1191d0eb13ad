"""Errors of the scaled engines."""


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or started (a usage error: exit code 2)."""

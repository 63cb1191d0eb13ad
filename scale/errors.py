"""Errors of the scaled engines."""


class ClusterError(RuntimeError):
    """The Dask cluster cannot be reached or started, or lost a worker mid-run (exit code 2)."""

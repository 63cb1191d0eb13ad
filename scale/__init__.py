"""Engines of the impact join past one process: spatial partitions in process or on Dask."""

"""Engines of the impact join past one process: partitions of strikes in process or on Dask."""

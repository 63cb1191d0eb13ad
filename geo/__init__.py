"""The analysis on GeoDataFrames: CRS handling, the impact join, the pipeline network.

``geo`` reads no files and draws nothing; callers pass frames in and get frames back.
"""

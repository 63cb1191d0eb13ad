"""The hand-written geopandas way to link strikes to assets: the end-to-end benchmark's reference.

Reads the strikes (GeoParquet when the folder has it) and every asset layer with pyogrio, joins
each asset layer with ``sjoin(predicate="dwithin")`` at the 5 km threat radius in the metric CRS,
writes one CSV::

    python benchmarks/geopandas_script.py DATA_DIR OUT.csv
"""

import sys
from pathlib import Path

import geopandas as gpd
import pandas as pd

ASSET_FILES = ("pipelines", "power_lines", "facilities", "fuel_stations", "substations",
               "power_plants")  # fmt: skip
METRIC_CRS = "EPSG:3035"
RADIUS_M = 5_000

data, out = Path(sys.argv[1]), Path(sys.argv[2])
if (data / "strikes.parquet").exists():  # large layers are GeoParquet
    strikes = gpd.read_parquet(data / "strikes.parquet").to_crs(METRIC_CRS)
else:
    strikes = gpd.read_file(data / "strikes.geojson", engine="pyogrio").to_crs(METRIC_CRS)
joined = []
for name in ASSET_FILES:
    path = data / f"{name}.geojson"
    if not path.exists():
        continue
    assets = gpd.read_file(path, engine="pyogrio")[["id", "name", "geometry"]].to_crs(METRIC_CRS)
    pairs = gpd.sjoin(strikes[["id", "date", "geometry"]], assets, predicate="dwithin",
                      distance=RADIUS_M, lsuffix="strike", rsuffix="asset")  # fmt: skip
    pairs["asset_layer"] = name
    joined.append(pd.DataFrame(pairs.drop(columns=["geometry", "index_asset"])))
pd.concat(joined, ignore_index=True).to_csv(out, index=False)

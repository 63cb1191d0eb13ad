"""Redraw the committed baseline image of the static-map test after an intended change.

    python tests/update_baseline.py

Look at ``tests/baseline/static_small.png`` before committing it: the test compares every later
drawing with this image and never writes it itself.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from test_static import BASELINE_IMAGE, render_baseline_map

if __name__ == "__main__":
    render_baseline_map(BASELINE_IMAGE)
    print(f"wrote {BASELINE_IMAGE}")

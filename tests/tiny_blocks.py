"""One full 8x8 block per layer entry, each alone in its own image: the small hand-made
mappings of the cost model's tests."""
import numpy as np

import marp
from marp.workload.lowering import Blocks


def blocks_of(layers, row_tiles, col_tiles):
    """One 8x8 block per entry, each alone in its own image."""
    i32 = lambda v: np.array(v, dtype=np.int32)        # noqa: E731
    n = len(layers)
    b = Blocks(layer=i32(layers), job=i32([0] * n), slice=i32([-1] * n),
               row_tile=i32(row_tiles), col_tile=i32(col_tiles), height=i32([8] * n),
               width=i32([8] * n), useful_cells=np.full(n, 64, dtype=np.int64),
               array_rows=8, array_cols=8, layer_slices=np.full(max(layers) + 1, 2),
               digital_layers=np.zeros(0, dtype=np.int64), depthwise="digital",
               slice_layout="adjacent")
    p = marp.Packing.from_placements(np.arange(n), np.zeros(n), np.zeros(n), b.width,
                                     b.height, shape=(8, 8))
    return b, p

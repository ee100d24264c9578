"""The capacity policies' packers (marp.compiler.capacity)."""
import numpy as np
import pytest

import marp
from marp.compiler.capacity import execution_order, phases
from marp.compiler.driver import _lower_all, example_models, load_all
from marp.compiler.options import CompileOptions


@pytest.fixture(scope="module")
def tiny_blocks():
    arch = marp.load_arch("qracc").with_values({"aimc.array_rows": 64,
                                                "aimc.array_cols": 64})
    blocks, _, layer_model = _lower_all(load_all(example_models("mlperf-tiny"), 1), arch,
                                        CompileOptions())
    return blocks, execution_order(layer_model, "sequential"), arch.aimc.shape


@pytest.mark.parametrize("bank", [1, 2, 8, 32])
def test_sub_packings_reused_across_banks_change_nothing(tiny_blocks, bank):
    blocks, order, shape = tiny_blocks
    memo = {}
    for warm in (1, 4, 16):                   # other banks fill the memo first
        phases(blocks, order, shape, warm, warm, memo=memo)
    for rotating in sorted({1, max(1, bank // 2), bank}):
        alone, pinned = phases(blocks, order, shape, bank, rotating)
        shared, pinned2 = phases(blocks, order, shape, bank, rotating, memo=memo)
        assert pinned == pinned2 and alone.arrays_used == shared.arrays_used
        assert np.array_equal(alone.array, shared.array)
        assert np.array_equal(alone.x, shared.x) and np.array_equal(alone.y, shared.y)
        marp.verify(shared, blocks.width, blocks.height, array=shape)

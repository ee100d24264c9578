import pytest

import marp
from marp.packing.registry import ALGORITHMS, BIN_SELECTIONS, ORDERS


def test_contract_names():
    assert marp.available_algorithms() == (
        "skyline-bl", "skyline-minwaste", "maxrects-bssf", "maxrects-blsf", "maxrects-baf",
        "maxrects-bl", "maxrects-cp")
    assert marp.available_bin_selections() == ("next-fit", "first-fit", "best-fit")
    assert "area-desc" in marp.available_orders() and "given" in marp.available_orders()


@pytest.mark.parametrize("reg", [ALGORITHMS, BIN_SELECTIONS, ORDERS])
def test_unknown_name_lists_valid_ones(reg):
    with pytest.raises(ValueError) as e:
        reg.get("nope")
    assert reg.parameter in str(e.value)
    for name in reg.names():
        assert name in str(e.value)


def test_every_entry_is_described():
    for reg in (ALGORITHMS, BIN_SELECTIONS, ORDERS):
        for name, entry in reg.items():
            assert entry.description, name

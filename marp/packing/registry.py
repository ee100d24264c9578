"""The public registry of packing algorithms, bin-selection rules and item orders.

Every name a user can pass to :func:`marp.pack` (``algorithm=``, ``bin_selection=``,
``order=``) is an entry here; an unknown name raises a ValueError listing the known ones.
"""
from __future__ import annotations

from dataclasses import dataclass

from marp._kernels import engine
from marp._registry import Choice, Registry


@dataclass(frozen=True)
class Algorithm:
    """A placement rule inside one array: kernel family and rule code, and what it does."""

    name: str
    family: int
    rule: int
    description: str


@dataclass(frozen=True)
class BinSelection:
    """How the array that receives an item is chosen among the open arrays."""

    name: str
    code: int
    description: str


@dataclass(frozen=True)
class Order:
    """The order in which items are packed (see :func:`marp.packing.item_order`)."""

    name: str
    description: str


# rule codes follow the enums of marp/_kernels/skyline.pxd and maxrects.pxd
ALGORITHMS: Registry[Algorithm] = Registry("algorithm", [
    Algorithm("skyline-bl", engine.SKYLINE, 0,
              "skyline, bottom-left: lowest top edge, then the narrowest skyline segment"),
    Algorithm("skyline-minwaste", engine.SKYLINE, 1,
              "skyline, least area lost under the item; gaps kept in a waste map and reused"),
    Algorithm("maxrects-bssf", engine.MAXRECTS, 0,
              "maximal rectangles, best short side fit (least leftover on the shorter side)"),
    Algorithm("maxrects-blsf", engine.MAXRECTS, 1,
              "maximal rectangles, best long side fit (least leftover on the longer side)"),
    Algorithm("maxrects-baf", engine.MAXRECTS, 2,
              "maximal rectangles, best area fit (smallest free rectangle that holds it)"),
    Algorithm("maxrects-bl", engine.MAXRECTS, 3,
              "maximal rectangles, bottom-left (lowest top edge, then leftmost)"),
    Algorithm("maxrects-cp", engine.MAXRECTS, 4,
              "maximal rectangles, contact point (most perimeter touching walls and items)"),
])

BIN_SELECTIONS: Registry[BinSelection] = Registry("bin_selection", [
    BinSelection("next-fit", engine.NEXT_FIT,
                 "only the newest array is open; a new one opens when the item does not fit"),
    BinSelection("first-fit", engine.FIRST_FIT,
                 "the lowest-numbered open array where the item fits"),
    BinSelection("best-fit", engine.BEST_FIT,
                 "the best placement score over all open arrays (ties: lowest number)"),
])

ORDERS: Registry[Order] = Registry("order", [
    Order("given", "as given"),
    Order("area-desc", "area descending, then height, then width descending"),
    Order("height-desc", "height (rows) descending, then width descending"),
    Order("width-desc", "width (columns) descending, then height descending"),
    Order("perimeter-desc", "perimeter descending, then the longer side descending"),
    Order("maxside-desc", "longer side descending, then the shorter side descending"),
    Order("random", "a random permutation drawn from seed"),
])

IMPLEMENTATIONS: Registry[Choice] = Registry("implementation", [
    Choice("compiled", "the Cython kernels (marp/_kernels)"),
    Choice("python", "the pure-NumPy reference of maxrects-bssf with first-fit "
                     "(marp/packing/reference.py): same placements, slower"),
])


def available_algorithms() -> tuple[str, ...]:
    """Names accepted by ``marp.pack(algorithm=...)``."""
    return ALGORITHMS.names()


def available_bin_selections() -> tuple[str, ...]:
    """Names accepted by ``marp.pack(bin_selection=...)``."""
    return BIN_SELECTIONS.names()


def available_orders() -> tuple[str, ...]:
    """Names accepted by ``marp.pack(order=...)``."""
    return ORDERS.names()

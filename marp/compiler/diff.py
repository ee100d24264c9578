"""What reprogramming a chip from one mapping to another costs: the arrays and cells that
change, and the energy and time of writing them under the new mapping's write model
(``aimc.e_write_pj_per_cell``, ``t_write_row_ns``, ``write_parallel_arrays``).

Image ``k`` of a mapping is array ``k`` of the chip (a mapping whose images rotate
through a smaller bank is compared image by image too). A cell is written when its value
differs; an array's write time is its rows that hold a changed cell times the row write
time; arrays are written ``write_parallel_arrays`` at a time (longest first, each to the
least loaded writer).
"""
from __future__ import annotations

import numpy as np

from marp.costmodel.schedule import parallel_finish


def diff(old, new, old_models=None, new_models=None) -> dict:
    """The update from mapping ``old`` to mapping ``new`` (see the module doc): per
    changed array its cells and rows written; totals of cells, energy (uJ), time (us)."""
    a, b = old.images(old_models), new.images(new_models)
    if a.cells.shape[1:] != b.cells.shape[1:]:
        raise ValueError(f"the mappings' arrays differ in size: {a.cells.shape[1:]} and "
                         f"{b.cells.shape[1:]} (rows x cols); a chip has one size")
    n = max(a.cells.shape[0], b.cells.shape[0])
    old_c = np.zeros((n, *a.cells.shape[1:]), np.uint8)
    new_c = np.zeros_like(old_c)
    old_c[:a.cells.shape[0]] = a.cells
    new_c[:b.cells.shape[0]] = b.cells
    changed = old_c != new_c
    cells = changed.sum(axis=(1, 2))
    rows = changed.any(axis=2).sum(axis=1)
    aimc = new.arch.aimc
    per_array = [{"array": int(k), "cells": int(cells[k]), "rows": int(rows[k])}
                 for k in np.flatnonzero(cells)]
    times = [r["rows"] * aimc.t_write_row_ns for r in per_array]
    return {"arrays": n, "arrays_changed": len(per_array),
            "cells_written": int(cells.sum()),
            "cells_total": int(old_c.size),
            "write_energy_uj": float(cells.sum() * aimc.e_write_pj_per_cell * 1e-6),
            "write_time_us": parallel_finish(times, aimc.write_parallel_arrays) / 1e3,
            "per_array": per_array}

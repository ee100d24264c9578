"""Per-layer precision: a table of layer name -> weight and input bits, and a search for
per-layer weight bits that fit an array budget (LRMP's mixed precision, as an option).

* **The table** (``precision=``, ``--precision FILE``): ``{layer name: {"weight_bits": w,
  "act_bits": a}}`` (either key may be left out; a bare number is the weight bits). A name
  applies to every layer of that name in the models compiled together; a name no layer
  has is an error. Unlisted layers take the arch's ``weight_bits`` and ``act_bits``. Input
  bits change the layer's input cycles, hence its array ops, time and energy.
* **The budget** (``precision_budget=N`` arrays, choices ``precision_bits``, e.g. 8, 6,
  4): while the packing needs more than N arrays, the layer holding the most weight cells
  among those at the highest precision still above the lowest choice steps down to the
  next choice (the precision falls evenly, the bulk of the weights first); then, smallest
  layers first, each step is undone if the packing still fits (so no more bits are given
  up than needed). Layers set in the table keep their bits. Arrays are counted with the
  packing heuristic alone (no refinement). When even the lowest choice does not fit, an
  ``InfeasibleError`` names the arrays reached.
"""
from __future__ import annotations

import numpy as np

from marp._validate import positive_int
from marp.compiler.search import InfeasibleError
from marp.packing.packer import pack


def table(value) -> dict:
    """A precision table checked and normalised: {name: {"weight_bits"?, "act_bits"?}}."""
    if not isinstance(value, dict):
        raise TypeError(f"precision must be a dict of layer name -> bits, got "
                        f"{type(value).__name__}")
    out = {}
    for name, bits in value.items():
        if not isinstance(bits, dict):
            bits = {"weight_bits": bits}
        unknown = sorted(set(bits) - {"weight_bits", "act_bits"})
        if unknown:
            raise ValueError(f"precision[{name!r}]: keys {unknown} are not known; keys: "
                             f"weight_bits, act_bits")
        out[str(name)] = {k: positive_int(f"precision[{name!r}][{k!r}]", v, high=32)
                          for k, v in bits.items() if v is not None}
    return out


def resolve(names, arch, precision: dict | None):
    """(weight bits per layer, input bits per layer or None, layers fixed by the table)
    for layers called ``names`` (the compiled models' layers in turn)."""
    n = len(names)
    weight = np.full(n, arch.aimc.weight_bits, dtype=np.int64)
    act = np.full(n, arch.aimc.act_bits, dtype=np.int64)
    fixed = np.zeros(n, dtype=bool)
    if not precision:
        return weight, None, fixed
    index = {}
    for i, name in enumerate(names):
        index.setdefault(name, []).append(i)
    missing = sorted(set(precision) - set(index))
    if missing:
        raise ValueError(f"precision names layers {missing[:5]} that no model has (layer "
                         f"names such as {sorted(index)[:3]})")
    for name, bits in precision.items():
        rows = index[name]
        if "weight_bits" in bits:
            weight[rows] = bits["weight_bits"]
            fixed[rows] = True
        if "act_bits" in bits:
            act[rows] = bits["act_bits"]
    return weight, act, fixed


def fit_budget(lower_at, weight, fixed, arch, budget: int, choices, packing: str):
    """Per-layer weight bits under ``budget`` arrays (see the module doc).
    ``lower_at(weight_bits) -> Blocks`` lowers the models at those bits."""
    choices = sorted({int(c) for c in choices}, reverse=True)
    shape = (arch.aimc.array_rows, arch.aimc.array_cols)

    def arrays(bits):
        b = lower_at(bits)
        return pack(b.width, b.height, array=shape, algorithm=packing).arrays_used if len(b) \
            else 0

    weight = np.where(fixed, weight, np.minimum(weight, choices[0]))
    start = weight.copy()
    cells = lower_at(weight)
    size = np.bincount(cells.layer, weights=cells.useful_cells, minlength=weight.size)
    used, steps = arrays(weight), []       # steps: (layer, bits before)
    while used > budget:
        can = ~fixed & (weight > choices[-1])
        if not can.any():
            raise InfeasibleError(f"precision_budget={budget}: {used} arrays at the lowest "
                                  f"precision choice ({choices[-1]} bits) for every layer "
                                  f"not fixed by the precision table")
        top = weight[can].max()
        pick = np.flatnonzero(can & (weight == top))
        i = int(pick[np.argmax(size[pick])])
        steps.append((i, int(weight[i])))
        weight[i] = next(c for c in choices if c < weight[i])
        used = arrays(weight)
    for i in sorted({i for i, _ in steps}, key=lambda i: size[i]):   # undo what was not needed
        while weight[i] < start[i]:
            trial = weight.copy()
            trial[i] = min(start[i], min(c for c in choices if c > weight[i]))
            if arrays(trial) > budget:
                break
            weight = trial
    return weight

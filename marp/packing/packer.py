"""Packing rectangles into arrays: :func:`pack`, the :class:`Packing` result and :func:`verify`.

Sizes are (width, height) = (columns, rows) of a crossbar array; x is the column offset and
y the row offset of a placed rectangle inside its array.
"""
from __future__ import annotations

import numpy as np

from marp._compare import array_eq
from marp import _validate
from marp._validate import ArrayShape
from marp._kernels import engine
from marp.packing import exact
from marp.packing.bounds import lower_bound
from marp.packing.refine import PORTFOLIO_ORDERS, Instance, refine_packing
from marp.packing import reference
from marp.packing.registry import ALGORITHMS, BIN_SELECTIONS, IMPLEMENTATIONS, ORDERS


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


class Packing:
    """The result of :func:`pack`: one entry per rectangle, in the input order.

    Attributes
    ----------
    array, x, y : int32 arrays
        Array number and column/row offset of each rectangle; -1 where it is unplaced.
    rotated : bool array
        True where the rectangle was turned by 90 degrees (only with ``rotation=True``).
    placed : bool array
    widths, heights : int32 arrays
        The sizes that were packed.
    array_cols, array_rows : int
    arrays_used : int
        Arrays holding at least one rectangle.
    utilization : float
        Area of the placed rectangles / area of the arrays used (0.0 when none is used).
    algorithm, bin_selection, order : str
        The names the packing was made with ("external" for a packing built from
        placements made elsewhere).
    arrays_before_refine : int
        Arrays of the constructive packing (equal to ``arrays_used`` without refinement).
    refine_iterations : int
        Refinement iterations done (0 without refinement).
    lower_bound : int
        The best lower bound known on the arrays needed for the placed rectangles
        (:func:`marp.lower_bound`, or what the exact solver proved; computed on first use).
    gap, border : int
        Cells kept free between rectangles and along the array's edges (0: none).
    may_turn : bool array or None
        Which rectangles were allowed to turn, when ``rotation`` was given per rectangle.
    occupied : int32 array (k x 5) or None
        Regions (array, x, y, w, h) that were taken before packing.
    status : {"optimal", "bound", "heuristic"}
        ``"optimal"``: proven optimal by the exact solver (``exact_seconds``); ``"bound"``:
        equal to a lower bound (so optimal too); ``"heuristic"``: not proven.
    """

    __slots__ = ("array", "x", "y", "rotated", "placed", "widths", "heights", "array_cols",
                 "array_rows", "arrays_used", "algorithm", "bin_selection", "order",
                 "arrays_before_refine", "refine_iterations", "gap", "border", "may_turn",
                 "occupied",
                 "_lower_bound", "_status")

    def __init__(self, array, x, y, rotated, widths, heights, array_cols, array_rows,
                 arrays_used, algorithm="external", bin_selection="external",
                 order="external", arrays_before_refine=None, refine_iterations=0,
                 lower_bound=None, status=None, gap=0, border=0, may_turn=None,
                 occupied=None):
        self.array = _frozen(np.ascontiguousarray(array, dtype=np.int32))
        self.x = _frozen(np.ascontiguousarray(x, dtype=np.int32))
        self.y = _frozen(np.ascontiguousarray(y, dtype=np.int32))
        self.rotated = _frozen(np.ascontiguousarray(rotated, dtype=bool))
        self.placed = _frozen(self.array >= 0)
        self.widths = _frozen(np.ascontiguousarray(widths, dtype=np.int32))
        self.heights = _frozen(np.ascontiguousarray(heights, dtype=np.int32))
        self.array_cols = int(array_cols)
        self.array_rows = int(array_rows)
        self.arrays_used = int(arrays_used)
        self.algorithm = algorithm
        self.bin_selection = bin_selection
        self.order = order
        self.arrays_before_refine = (self.arrays_used if arrays_before_refine is None
                                     else int(arrays_before_refine))
        self.refine_iterations = int(refine_iterations)
        self.gap, self.border = int(gap), int(border)
        self.may_turn = None if may_turn is None else _frozen(np.asarray(may_turn, bool))
        self.occupied = None if occupied is None else \
            _frozen(np.ascontiguousarray(occupied, dtype=np.int32))
        self._lower_bound = None if lower_bound is None else int(lower_bound)
        self._status = status

    @classmethod
    def from_placements(cls, array, x, y, widths, heights, *deprecated, shape=None,
                        rotated=None, arrays_used=None) -> "Packing":
        """A Packing from placements made elsewhere (another packer), for :func:`verify`.

        ``shape`` is the array size ``(rows, cols)`` (two positional values after
        ``heights``, columns then rows, are deprecated). ``arrays_used`` defaults to the
        largest array number + 1. The result's ``algorithm`` is ``"external"``; set it
        to name the packer.
        """
        if deprecated:
            if len(deprecated) != 2:
                raise TypeError("from_placements() takes shape=(rows, cols)")
            shape = _validate.array_size(shape, *deprecated, "Packing.from_placements")
        rows, cols = _validate.array_size(shape, None, None, "Packing.from_placements")
        array, x, y = (_placement_values(name, v) for name, v in
                       (("array", array), ("x", x), ("y", y)))
        if rotated is None:
            rotated = np.zeros(array.shape[0], dtype=bool)
        if arrays_used is None:
            arrays_used = int(array.max()) + 1 if array.size else 0
        return cls(array, x, y, rotated, widths, heights, cols, rows, arrays_used)

    def __len__(self) -> int:
        return self.array.shape[0]

    __eq__ = array_eq
    __hash__ = None

    @property
    def shape(self) -> ArrayShape:
        """Size of one array, rows first."""
        return ArrayShape(self.array_rows, self.array_cols)

    @property
    def n_placed(self) -> int:
        return int(np.count_nonzero(self.placed))

    @property
    def unplaced(self) -> np.ndarray:
        """Indices of the rectangles that were not placed."""
        return np.flatnonzero(~self.placed)

    @property
    def placed_area(self) -> int:
        """Cells covered by the placed rectangles (exact)."""
        return _validate.area_sum(self.widths[self.placed], self.heights[self.placed])

    @property
    def utilization(self) -> float:
        if self.arrays_used == 0:
            return 0.0
        return self.placed_area / (self.arrays_used * self.array_cols * self.array_rows)

    def array_fill(self) -> np.ndarray:
        """Placed area (cells) of each array, as int64."""
        placed = self.placed
        area = self.widths[placed].astype(np.int64) * self.heights[placed]
        return np.bincount(self.array[placed], weights=area,
                           minlength=self.arrays_used).astype(np.int64)

    def placed_sizes(self) -> tuple[np.ndarray, np.ndarray]:
        """(width, height) of each rectangle as placed, i.e. swapped where rotated."""
        w = np.where(self.rotated, self.heights, self.widths)
        h = np.where(self.rotated, self.widths, self.heights)
        return w, h

    @property
    def lower_bound(self) -> int:
        if self._lower_bound is None:
            placed, g, b = self.placed, self.gap, self.border
            # the grown problem (sizes + gap, arrays - 2 border + gap) is equivalent
            self._lower_bound = lower_bound(
                self.widths[placed] + g, self.heights[placed] + g,
                array=(self.array_rows - 2 * b + g, self.array_cols - 2 * b + g)) \
                if placed.any() else 0
        return self._lower_bound

    @property
    def status(self) -> str:
        if self._status is not None:
            return self._status
        return "bound" if self.placed.all() and self.arrays_used <= self.lower_bound \
            else "heuristic"

    def to_dict(self) -> dict:
        """The placements and how they were made (JSON-ready; the sizes are not included:
        they belong to whoever packed them, e.g. a mapping's blocks)."""
        return {"array": self.array.tolist(), "x": self.x.tolist(), "y": self.y.tolist(),
                "rotated": self.rotated.tolist(), "arrays_used": self.arrays_used,
                "arrays_before_refine": self.arrays_before_refine,
                "refine_iterations": self.refine_iterations, "algorithm": self.algorithm,
                "bin_selection": self.bin_selection, "order": self.order,
                **({"status": self._status, "lower_bound": self._lower_bound}
                   if self._status is not None else {}),
                **({"gap": self.gap, "border": self.border} if self.gap or self.border
                   else {})}

    @classmethod
    def from_dict(cls, d: dict, widths, heights, array_cols, array_rows) -> "Packing":
        """Read back :meth:`to_dict` for rectangles of the given sizes."""
        return cls(d["array"], d["x"], d["y"], d["rotated"], widths, heights, array_cols,
                   array_rows, d["arrays_used"], algorithm=d["algorithm"],
                   bin_selection=d["bin_selection"], order=d["order"],
                   arrays_before_refine=d["arrays_before_refine"],
                   refine_iterations=d["refine_iterations"],
                   lower_bound=d.get("lower_bound"), status=d.get("status"),
                   gap=d.get("gap", 0), border=d.get("border", 0))

    def __repr__(self) -> str:
        return (f"Packing(n={len(self)}, placed={self.n_placed}, arrays_used={self.arrays_used}, "
                f"array={self.array_rows}x{self.array_cols} (rows x cols), "
                f"utilization={self.utilization:.4f}, algorithm={self.algorithm!r})")


def _placement_values(name: str, values) -> np.ndarray:
    """Placements as int64, refusing values that 32-bit storage would change (rather than
    wrap them: x = 2**32 + 1 must not become 1)."""
    arr = np.asarray(values)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        if not (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.floor(arr))):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    arr = arr.astype(np.int64) if arr.size else arr.astype(np.int64).reshape(arr.shape)
    bad = np.flatnonzero((arr < -1) | (arr > _validate.INT32_MAX))
    if bad.size:
        raise ValueError(f"{name}[{bad[0]}] = {arr[bad[0]]} is outside [-1, "
                         f"{_validate.INT32_MAX}]")
    return arr


def _seed(seed: object) -> int:
    return _validate.positive_int("seed", seed, allow_zero=True)


def item_order(widths, heights, order: str = "area-desc", seed: int = 0) -> np.ndarray:
    """The packing order of the items under the named rule (see ``marp.ORDERS``).

    Sorting is stable: items with equal keys keep their input order, so results are
    deterministic. Returns an int32 permutation of ``range(n)``.
    """
    w, h = _validate.size_arrays(widths, heights)
    ORDERS.get(order)
    return _order(w, h, order, seed)


def _order(w: np.ndarray, h: np.ndarray, order: str, seed: int) -> np.ndarray:
    """item_order on sizes and names already validated."""
    n = w.shape[0]
    w64, h64 = w.astype(np.int64), h.astype(np.int64)
    if order == "given":
        perm = np.arange(n)
    elif order == "random":
        perm = np.random.default_rng(_seed(seed)).permutation(n)
    else:
        primary, secondary = {
            "area-desc": (w64 * h64, h64 * (1 << 31) + w64),
            "height-desc": (h64, w64),
            "width-desc": (w64, h64),
            "perimeter-desc": (w64 + h64, np.maximum(w64, h64)),
            "maxside-desc": (np.maximum(w64, h64), np.minimum(w64, h64)),
        }[order]
        perm = np.lexsort((-secondary, -primary))   # lexsort is stable; last key is primary
    return np.ascontiguousarray(perm, dtype=np.int32)


def pack_trusted(w: np.ndarray, h: np.ndarray, shape, algorithm: str = "maxrects-bssf",
                 max_arrays: int = -1, presorted: bool = False):
    """(array, x, y, arrays used) of the area-desc, first-fit packing of sizes that are
    already valid contiguous int32 arrays that fit the array (no checks: for callers
    inside marp that pack subsets of validated blocks many times, such as the capacity
    policies). ``max_arrays`` -1: no limit; what finds no room gets array -1.
    ``presorted``: the items are already in area-desc order (packed as given)."""
    H, W = shape
    algo = ALGORITHMS.get(algorithm)
    n = w.shape[0]
    out = np.empty(n, dtype=np.int32), np.empty(n, dtype=np.int32), \
        np.empty(n, dtype=np.int32)
    rot = np.zeros(n, dtype=np.int8)
    perm = np.arange(n, dtype=np.int32) if presorted else _order(w, h, "area-desc", 0)
    used = engine.pack_ordered(w, h, perm, W, H, algo.family,
                               algo.rule, False, BIN_SELECTIONS.get("first-fit").code,
                               max_arrays, out[0], out[1], out[2], rot)
    return out[0], out[1], out[2], used


def _oversized(w, h, W, H, rotation, may_turn=None):
    fits = (w <= W) & (h <= H)
    if rotation:
        turned = (h <= W) & (w <= H)
        fits |= turned if may_turn is None else turned & (may_turn != 0)
    return np.flatnonzero(~fits)


def _construct(w, h, perm, W, H, algo, binsel, turning, max_bins, occ):
    """(array, x, y, rotated, arrays used) of the compiled constructive packing."""
    n = w.shape[0]
    out_array, out_x, out_y = (np.empty(n, dtype=np.int32) for _ in range(3))
    out_rot = np.zeros(n, dtype=np.int8)
    used = engine.pack_ordered(w, h, perm, W, H, algo.family, algo.rule, turning[0],
                               binsel.code, max_bins, out_array, out_x, out_y, out_rot,
                               -1.0, turning[1], occ)
    return out_array, out_x, out_y, out_rot, used


def _occupied(rows, W, H, algo, max_bins, refine_seconds, refine_iterations, exact_seconds):
    """``occupied`` rows checked: int32 (k x 5) of (array, x, y, w, h) inside arrays."""
    occ = np.asarray(rows)
    if occ.size == 0:
        return None
    if occ.ndim != 2 or occ.shape[1] != 5 or occ.dtype.kind not in "iu":
        raise ValueError(f"occupied must be integer rows of (array, x, y, w, h), got an "
                         f"array of shape {occ.shape} and dtype {occ.dtype}")
    a, x, y, w, h = occ.astype(np.int64).T
    bad = np.flatnonzero((a < 0) | (x < 0) | (y < 0) | (w < 1) | (h < 1) | (x + w > W)
                         | (y + h > H) | (a >= 1 << 20))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"occupied[{i}] = {occ[i].tolist()} is not a region inside an "
                         f"array of {H}x{W} (rows x cols; array number >= 0)")
    if algo.family != engine.MAXRECTS:
        raise ValueError(f"occupied= needs a maxrects algorithm; {algo.name!r} cannot hold "
                         f"regions at given places")
    if refine_seconds is not None or refine_iterations is not None or \
            exact_seconds is not None:
        raise ValueError("occupied= is not supported with refinement or exact_seconds")
    if max_bins >= 0 and int(a.max()) >= max_bins:
        raise ValueError(f"occupied names array {int(a.max())} but max_arrays={max_bins}")
    return np.ascontiguousarray(occ, dtype=np.int32)


def _refuse_oversized(w, h, W, H, rotation, may_turn) -> None:
    too_big = _oversized(w, h, W, H, rotation, may_turn)
    if too_big.size:
        i = int(too_big[0])
        raise ValueError(
            f"rectangle {i} (w={w[i]}, h={h[i]}) does not fit an empty {H}x{W} array "
            f"(rows x cols){' in either orientation' if rotation else ''}; pass "
            f"partial=True (CLI: --partial) to report such rectangles as unplaced")


def _rotation(rotation, n: int):
    """(any rectangle may turn, per-rectangle flags as int8 or None when all share one)
    of ``rotation``: a bool, or one bool per rectangle."""
    if isinstance(rotation, (bool, np.bool_)):
        return bool(rotation), None
    flags = np.asarray(rotation)
    if flags.dtype != bool or flags.shape != (n,):
        raise TypeError(f"rotation must be True or False, or one bool per rectangle "
                        f"({n}), got {rotation!r}"[:200])
    if flags.all():
        return True, None
    return bool(flags.any()), np.ascontiguousarray(flags, dtype=np.int8)


def pack(widths, heights, array_cols=None, array_rows=None, *, array=None,
         algorithm: str = "maxrects-bssf",
         bin_selection: str = "first-fit", order: str = "area-desc", rotation: bool = False,
         max_arrays: int | None = None, seed: int = 0, partial: bool = False,
         refine_seconds: float | None = None, refine_iterations: int | None = None,
         refine_workers: int = 2, implementation: str = "compiled",
         exact_seconds: float | None = None, gap: int = 0, border: int = 0,
         occupied=None) -> Packing:
    """Pack rectangles (widths x heights) into arrays of ``array=(rows, cols)``.

    Parameters
    ----------
    widths, heights : sequences of positive integers
        Columns and rows of each rectangle (block).
    array : (rows, cols)
        Size of one array (bin), rows first (an :class:`~marp.ArrayShape` or a pair).
    array_cols, array_rows : int
        Deprecated (removed in marp 0.3): the array size as columns, rows.
    algorithm, bin_selection, order : str
        Names from ``marp.available_algorithms()``, ``available_bin_selections()`` and
        ``available_orders()``.
    rotation : bool or array of bool
        Allow 90-degree turns: for every rectangle, or per rectangle (one bool each; a
        rectangle marked False is never turned). Off by default: in a crossbar rows are
        inputs and columns outputs, so a turned block computes nothing useful.
    max_arrays : int or None
        At most this many arrays are opened; rectangles that find no room are left
        unplaced (``placed`` False, coordinates -1), never dropped silently.
    seed : int
        Seed of the ``"random"`` order (other orders are deterministic without it).
    partial : bool
        When False (default), a rectangle larger than an empty array raises ValueError
        naming its index; when True it is reported as unplaced instead.
    refine_seconds, refine_iterations : float, int or None
        Budget of the refinement that follows the constructive packing (see
        :mod:`marp.refine`); None on both (default) means no refinement, and a zero
        budget returns the constructive packing unchanged. With only an iteration budget
        the result is the same for the same seed on any machine; with a time budget it is
        the best found in time. It stops early at the lower bound. Rectangles left
        unplaced by ``max_arrays`` or ``partial`` stay unplaced.
    refine_workers : int
        Independent search streams (run in threads, one per core available); part of the
        result's definition, so keep it fixed to reproduce a result.
    implementation : {"compiled", "python"}
        ``"python"`` runs the pure-NumPy reference (:mod:`marp.packing.reference`) instead
        of the compiled kernel: same placements, about a thousand times slower; it covers
        ``maxrects-bssf`` with ``first-fit`` and no refinement.
    gap, border : int
        Cells kept free between any two rectangles (e.g. for peripheral circuits or
        isolation) and along the edges of every array; 0 by default. Packed exactly as
        rectangles grown by ``gap`` in arrays of ``rows - 2 border + gap`` x
        ``cols - 2 border + gap``, then moved in by ``border`` (the lower bounds are
        computed on that grown problem, so they stay valid).
    occupied : array-like of rows (array, x, y, w, h), or None
        Regions of arrays already taken (e.g. by a model the chip holds): never
        overlapped; the arrays they name are opened first and count in ``arrays_used``.
        Maxrects algorithms only, without refinement, ``exact_seconds``, ``gap`` or
        ``border``.
    exact_seconds : float or None
        After the heuristic (and refinement), try for this long to reach the lower bound
        or prove the count optimal with a CP-SAT model (:mod:`marp.packing.exact`, extra
        ``exact``: OR-Tools); ``Packing.status`` and ``Packing.lower_bound`` say what was
        proven. Oriented packing only (``rotation=False``), every rectangle placed, up
        to 400 rectangles (beyond, the heuristic's packing is kept as is).

    Returns
    -------
    Packing
    """
    if gap or border:
        if occupied is not None:
            raise ValueError("occupied= with gap= or border= is not supported")
        return _pack_spaced(widths, heights, array_cols, array_rows, array, gap, border, dict(
            algorithm=algorithm, bin_selection=bin_selection, order=order, rotation=rotation,
            max_arrays=max_arrays, seed=seed, partial=partial, refine_seconds=refine_seconds,
            refine_iterations=refine_iterations, refine_workers=refine_workers,
            implementation=implementation, exact_seconds=exact_seconds))
    w, h = _validate.size_arrays(widths, heights)
    H, W = _validate.array_size(array, array_cols, array_rows, "pack")
    algo = ALGORITHMS.get(algorithm)
    binsel = BIN_SELECTIONS.get(bin_selection)
    seed = _seed(seed)
    max_bins = -1 if max_arrays is None else _validate.positive_int(
        "max_arrays", max_arrays, allow_zero=True)
    rotation, may_turn = _rotation(rotation, w.shape[0])   # "no" is a true string: refused
    if not partial:
        _refuse_oversized(w, h, W, H, rotation, may_turn)
    ORDERS.get(order)
    if exact_seconds is not None:
        exact_seconds = _validate.seconds("exact_seconds", exact_seconds)
        if rotation:
            raise ValueError("exact_seconds=... solves oriented packing only; it is not "
                             "supported with rotation=True")
    occ = None if occupied is None else _occupied(
        occupied, W, H, algo, max_bins, refine_seconds, refine_iterations, exact_seconds)
    perm = _order(w, h, order, seed)
    if IMPLEMENTATIONS.get(implementation).name == "python":
        _python_supported(algo.name, binsel.name, refine_seconds, refine_iterations)
        if may_turn is not None or occ is not None:
            raise ValueError("implementation='python' takes rotation as one bool and no "
                             "occupied regions")
        out_array, out_x, out_y, out_rot, arrays_used = reference.pack_first_fit(
            w, h, W, H, perm, rotation, max_bins)
    else:
        out_array, out_x, out_y, out_rot, arrays_used = _construct(
            w, h, perm, W, H, algo, binsel, (rotation, may_turn), max_bins, occ)
    before, done = arrays_used, 0
    if _refine_requested(refine_seconds, refine_iterations, refine_workers):
        out_array, out_x, out_y, out_rot, arrays_used, done = _refine(
            w, h, W, H, (rotation, may_turn), out_array, out_x, out_y, out_rot, arrays_used,
            seed, refine_seconds, refine_iterations, refine_workers)
    result = Packing(out_array, out_x, out_y, out_rot.view(bool), w, h, W, H, arrays_used,
                     algorithm=algo.name, bin_selection=binsel.name, order=order,
                     arrays_before_refine=before, refine_iterations=done,
                     may_turn=None if may_turn is None else may_turn.astype(bool),
                     occupied=occ)
    if exact_seconds is not None:
        result = _exact(result, w, h, W, H, rotation, exact_seconds, seed)
    return result


def _pack_spaced(widths, heights, array_cols, array_rows, array, gap, border,
                 kw) -> Packing:
    """pack() with a gap between rectangles and a border inside every array: the grown
    problem packed, then moved in by the border (see pack's doc)."""
    gap = _validate.positive_int("gap", gap, allow_zero=True)
    border = _validate.positive_int("border", border, allow_zero=True)
    w, h = _validate.size_arrays(widths, heights)
    H, W = _validate.array_size(array, array_cols, array_rows, "pack")
    inner = (H - 2 * border + gap, W - 2 * border + gap)
    if min(inner) - gap < 1:
        raise ValueError(f"border={border} leaves no room in a {H}x{W} array")
    if not kw.get("partial"):        # say it in the caller's sizes, not the grown ones
        turn = _rotation(kw.get("rotation", False), w.shape[0])
        too_big = _oversized(w, h, W - 2 * border, H - 2 * border, *turn)
        if too_big.size:
            i = int(too_big[0])
            raise ValueError(f"rectangle {i} (w={w[i]}, h={h[i]}) does not fit inside the "
                             f"border={border} of a {H}x{W} array (rows x cols); pass "
                             f"partial=True (CLI: --partial) to report it as unplaced")
    grown = pack(w + gap, h + gap, array=inner, **kw)
    shift = np.where(grown.placed, border, 0)
    return Packing(grown.array, grown.x + shift, grown.y + shift, grown.rotated, w, h, W, H,
                   grown.arrays_used, algorithm=grown.algorithm,
                   bin_selection=grown.bin_selection, order=grown.order,
                   arrays_before_refine=grown.arrays_before_refine,
                   refine_iterations=grown.refine_iterations,
                   lower_bound=grown._lower_bound, status=grown._status, gap=gap,
                   border=border, may_turn=grown.may_turn)


def _exact(p: Packing, w, h, W, H, rotation, seconds, seed) -> Packing:
    """The packing after the exact solver (see :mod:`marp.packing.exact`)."""
    if not p.placed.all():
        raise ValueError(f"exact_seconds=... needs every rectangle placed; "
                         f"{len(p) - p.n_placed} are unplaced (max_arrays or partial)")
    array, x, y, used, status, bound = exact.solve(w, h, W, H, p, p.lower_bound, seconds)
    return Packing(array, x, y, p.rotated, w, h, W, H, used, algorithm=p.algorithm,
                   bin_selection=p.bin_selection, order=p.order,
                   arrays_before_refine=p.arrays_before_refine,
                   refine_iterations=p.refine_iterations, lower_bound=bound, status=status)


def _python_supported(algorithm, bin_selection, refine_seconds, refine_iterations):
    if (algorithm, bin_selection) != ("maxrects-bssf", "first-fit") or \
            refine_seconds is not None or refine_iterations is not None:
        raise ValueError(f"implementation='python' covers algorithm='maxrects-bssf' with "
                         f"bin_selection='first-fit' and no refinement; got "
                         f"algorithm={algorithm!r}, bin_selection={bin_selection!r}"
                         f"{', with refinement' if refine_seconds or refine_iterations else ''}")


def _refine_requested(seconds, iterations, workers) -> bool:
    """Validate the refinement budget; True when there is one."""
    if seconds is not None:
        _validate.seconds("refine_seconds", seconds)
    if iterations is not None:
        _validate.positive_int("refine_iterations", iterations, allow_zero=True)
    _validate.positive_int("refine_workers", workers)
    if seconds is None and iterations is None:
        return False
    return (seconds is None or seconds > 0) and (iterations is None or iterations > 0)


def _refine(w, h, W, H, turning, array, x, y, rot, arrays_used, seed, seconds, iterations,
            workers):
    rotation, may_turn = turning
    placed = np.flatnonzero(array >= 0)
    ws, hs = w[placed], h[placed]
    lb = lower_bound(ws, hs, array=(H, W), rotation=rotation)
    orders = {o: item_order(ws, hs, o) for o in PORTFOLIO_ORDERS}
    start = dict(array=array[placed], x=x[placed], y=y[placed], rot=rot[placed],
                 arrays=arrays_used)
    inst = Instance(np.ascontiguousarray(ws), np.ascontiguousarray(hs), W, H, rotation,
                    orders, None if may_turn is None else
                    np.ascontiguousarray(may_turn[placed]))
    best, done = refine_packing(
        inst, start, lb, seconds=None if seconds is None else float(seconds),
        iterations=None if iterations is None else int(iterations), seed=seed,
        workers=int(workers))
    for name, full in (("array", array), ("x", x), ("y", y), ("rot", rot)):
        full[placed] = best[name]
    return array, x, y, rot, best["arrays"], done

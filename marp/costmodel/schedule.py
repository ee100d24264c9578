"""Weight residency when a mapping has more array images than the bank has arrays.

A packing makes ``A`` array *images*; the chip has ``B`` physical arrays. When ``A <= B``
every image stays resident and nothing is written per inference. Otherwise:

* **Pinned** images stay resident across inferences (``P <= B - 1`` of them); the other
  ``R = B - P`` physical arrays are *slots* that the rotating images take in turn.
* Layers run in execution order. A layer needs its rotating images resident; when it has
  more than ``R``, it runs in **waves** of at most ``R`` images, its partial sums kept and
  added digitally between waves. Each wave is a **step**.
* Before a step, its images that are not resident are **loaded**: fetched (from the
  weight buffer when every rotating weight fits in it, else from DRAM) and written into
  slots, evicting the resident image whose next use is farthest (Belady's rule, optimal
  for the number of loads). A step that loads something starts a **phase**.
* The schedule repeats every inference: it is simulated for two inferences and the
  second (steady state) is reported. With ``schedule.batch`` N, each step runs N inputs
  before the weights change, so loads are paid once per N inferences.
* Timing: steps run one after another on their physical arrays (blocks of one layer on
  different images of a step run in parallel, on distinct physical arrays); a load takes
  the longer of writing its images' rows (``write_parallel_arrays`` at a time) and
  fetching their bits, and it precedes its step unless ``write_overlap`` lets it run
  during the previous step, which is possible only when it evicts nothing that step uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marp._kernels import residency


def _segments(ptr, flat) -> tuple:
    return tuple(tuple(flat[ptr[k]:ptr[k + 1]].tolist()) for k in range(len(ptr) - 1))


@dataclass(frozen=True, eq=False)
class Schedule:
    """The residency schedule of one mapping on a bank (steady state, per batch), as flat
    arrays: step ``k`` runs layer ``step_layer[k]`` on the rotating images
    ``step_img[step_ptr[k]:step_ptr[k + 1]]`` (a layer with only pinned images has one
    step with none) after loading ``load_img[load_ptr[k]:load_ptr[k + 1]]``.

    Attributes
    ----------
    bank_arrays, pinned_arrays, rotating_arrays : int
        B, P and R = B - P.
    pinned : tuple of int
        Images resident across inferences.
    step_layer, step_ptr, step_img, load_ptr, load_img : int arrays
    overlapped : bool array
        Per step, whether its load may overlap the previous step (``write_overlap`` and
        no eviction of an image that step uses).
    slot_writes : int64 array
        Loads into each rotating slot per batch (for endurance).
    step_slot : int32 array
        The rotating slot (0..R-1) each image of ``step_img`` sits in during its step.
    """

    bank_arrays: int
    pinned_arrays: int
    rotating_arrays: int
    pinned: tuple
    step_layer: np.ndarray
    step_ptr: np.ndarray
    step_img: np.ndarray
    load_ptr: np.ndarray
    load_img: np.ndarray
    overlapped: np.ndarray
    slot_writes: np.ndarray
    step_slot: np.ndarray

    @property
    def steps(self) -> tuple:
        """(layer, rotating images) of every step."""
        return tuple(zip(self.step_layer.tolist(), _segments(self.step_ptr, self.step_img)))

    @property
    def loads(self) -> tuple:
        """The images loaded before every step."""
        return _segments(self.load_ptr, self.load_img)

    @property
    def phases(self) -> int:
        """Steps that load something, per batch (1 when nothing is ever loaded)."""
        return max(1, int(np.count_nonzero(np.diff(self.load_ptr))))

    @property
    def fits(self) -> bool:
        return self.load_img.size == 0


class Timeline:
    """The steps of a schedule as dicts (layer, images, loaded images, load and compute
    start and end in ns), built on access: a list-like sequence."""

    def __init__(self, sched: Schedule, names, events):
        self._sched, self._names, self._events = sched, names, events
        self._rows = None

    def _all(self) -> list:
        if self._rows is None:
            s = self._sched
            self._rows = [
                {"layer": self._names[layer], "images": list(imgs), "loaded": list(load),
                 "load_start_ns": ls, "load_end_ns": le, "start_ns": st, "end_ns": en}
                for (layer, imgs), load, (ls, le, st, en) in zip(s.steps, s.loads,
                                                                 self._events)]
        return self._rows

    def __len__(self) -> int:
        return len(self._events)

    def __iter__(self):
        return iter(self._all())

    def __getitem__(self, k):
        return self._all()[k]

    def __bool__(self) -> bool:
        return len(self._events) > 0


def image_cells_rows(blocks, packing):
    """(cells, rows) of each image: cells held by its blocks, rows spanned (written)."""
    A = packing.arrays_used
    area = blocks.height.astype(np.int64) * blocks.width
    cells = np.bincount(packing.array, weights=area, minlength=A)
    rows = np.zeros(A)
    np.maximum.at(rows, packing.array, (packing.y + blocks.height).astype(float))
    return cells, rows


def choose_pinned(cells, bank: int, keep_free: int = 1) -> tuple:
    """The images to pin: the ``bank - keep_free`` fullest (fewest cells to rewrite)."""
    n = max(0, min(len(cells), bank - keep_free))
    order = np.lexsort((np.arange(len(cells)), -np.asarray(cells)))
    return tuple(sorted(int(i) for i in order[:n]))


def member_mask(members, size: int) -> np.ndarray:
    """A boolean array of ``size`` true at ``members`` (faster than ``np.isin`` here)."""
    out = np.zeros(max(size, 1), dtype=bool)
    out[np.asarray(members, dtype=np.int64)] = True
    return out


def order_positions(order, n_layers: int, missing: int = -1) -> np.ndarray:
    """Each layer's position in the execution ``order`` (layers ``0..n_layers-1``; one
    that ``order`` leaves out gets ``missing``)."""
    order = np.asarray(order, dtype=np.int64)
    keep = order[order < n_layers]
    pos = np.full(n_layers, missing, dtype=np.int64)
    pos[keep] = np.arange(keep.size)
    return pos


def _steps(blocks, packing, order, pinned, R):
    """(step_layer, step_ptr, step_img): each analog layer in ``order``, its rotating
    images (sorted) in chunks of at most R; one empty step for a layer all pinned."""
    A = max(1, packing.arrays_used)
    key = np.unique(blocks.layer.astype(np.int64) * A + packing.array)
    layer, image = key // A, key % A
    pos = order_positions(order, int(layer.max()) + 1 if layer.size else 0)
    rot = ~member_mask(pinned, A)[image]
    by = np.lexsort((image, pos[layer]))            # execution order, then image
    layer, image, rot = layer[by], image[by], rot[by]
    analog = np.unique(layer[pos[layer] >= 0])
    analog = analog[np.argsort(pos[analog])]
    n_rot = np.bincount(layer[rot], minlength=pos.size)[analog]
    n_steps = np.maximum(1, -(-n_rot // R))
    step_layer = np.repeat(analog, n_steps)
    j = np.arange(step_layer.size) - np.repeat(np.cumsum(n_steps) - n_steps, n_steps)
    sizes = np.clip(n_rot[np.repeat(np.arange(analog.size), n_steps)] - j * R, 0, R)
    ptr = np.zeros(step_layer.size + 1, dtype=np.int32)
    np.cumsum(sizes, out=ptr[1:])
    return step_layer, ptr, np.ascontiguousarray(image[rot & (pos[layer] >= 0)],
                                                 dtype=np.int32)


def build(blocks, packing, n_layers, order, bank: int, *, pinned=None,
          overlap: bool = False, cells=None) -> Schedule:
    """The schedule of a packing on ``bank`` arrays (see the module doc); ``pinned``
    defaults to :func:`choose_pinned`, ``order`` is the layers' execution order,
    ``cells`` the cells of each image when the caller has them."""
    if cells is None:
        cells = image_cells_rows(blocks, packing)[0]
    if packing.arrays_used <= bank:
        pinned = tuple(range(packing.arrays_used))
    elif pinned is None:
        pinned = choose_pinned(cells, bank)
    pinned = tuple(sorted({int(i) for i in pinned}))
    bad = [i for i in pinned if not 0 <= i < packing.arrays_used]
    if bad:
        raise ValueError(f"pinned image {bad[0]} does not exist: the packing has "
                         f"{packing.arrays_used} images (0..{packing.arrays_used - 1})")
    R = bank - len(pinned)
    if R < 1 and packing.arrays_used > bank:
        raise ValueError(f"pinned={len(pinned)} images leave no array of the {bank} to "
                         f"rotate the other {packing.arrays_used - len(pinned)} through")
    step_layer, ptr, img = _steps(blocks, packing, order, pinned, max(R, 1))
    n = step_layer.size
    load_ptr = np.zeros(n + 1, dtype=np.int32)
    load_img = np.zeros(max(1, img.size), dtype=np.int32)
    overlapped = np.zeros(n, dtype=np.int8)
    writes = np.zeros(max(R, 1), dtype=np.int64)
    slot = np.zeros(img.size, dtype=np.int32)
    loaded = residency.simulate(ptr, img, max(1, packing.arrays_used), max(R, 1),
                                bool(overlap), load_ptr, load_img, overlapped, writes,
                                slot)
    return Schedule(bank_arrays=bank, pinned_arrays=len(pinned), rotating_arrays=R,
                    pinned=pinned, step_layer=step_layer, step_ptr=ptr, step_img=img,
                    load_ptr=load_ptr, load_img=load_img[:loaded],
                    overlapped=overlapped.astype(bool), slot_writes=writes,
                    step_slot=slot)


def parallel_finish(durations, lanes: int) -> float:
    """Finish time of ``durations`` on ``lanes`` parallel writers (longest first, each to
    the least loaded writer)."""
    load = [0.0] * max(1, min(lanes, len(durations)))
    for d in sorted(durations, reverse=True):
        k = load.index(min(load))
        load[k] += d
    return max(load) if durations else 0.0


def load_times(sched: Schedule, rows, cells, arch, source_gb_per_s: float) -> np.ndarray:
    """Per step, the time (ns) to load its images: the longer of writing their rows and
    fetching their bits."""
    a = arch.aimc
    n = sched.step_layer.size
    if sched.fits:
        return np.zeros(n)
    sizes = np.diff(sched.load_ptr)
    step = np.repeat(np.arange(n), sizes)
    row_ns = np.bincount(step, weights=rows[sched.load_img] * a.t_write_row_ns, minlength=n)
    bits = np.bincount(step, weights=cells[sched.load_img], minlength=n) * a.cell_bits
    if a.write_parallel_arrays > 1:
        loads = sched.loads
        row_ns = np.array([parallel_finish([rows[i] * a.t_write_row_ns for i in load],
                                  a.write_parallel_arrays) for load in loads])
    return np.maximum(row_ns, bits / 8 / source_gb_per_s)


def timeline(sched: Schedule, step_ns, load_ns, batch: int, between_ns, events=None) -> float:
    """Time (ns) of one batch: each step computes ``batch`` inputs after its load; a load
    marked overlapped starts with the previous step, else after it. ``between_ns[k]`` is
    work on the digital engine that runs after step k. ``events``, a list, receives per
    step (load start, load end, compute start, compute end) in ns."""
    if not sched.overlapped.any():      # every load waits for the step before it
        return _serial_timeline(step_ns, load_ns, batch, between_ns, events)
    t = 0.0                   # end of the compute so far
    load_end = 0.0            # the write port is busy until then
    prev_start = 0.0
    overlapped = sched.overlapped.tolist()
    load_ns = np.asarray(load_ns).tolist()
    between_ns = np.asarray(between_ns).tolist()
    for k, compute in enumerate(np.asarray(step_ns).tolist()):
        start_load = max(prev_start if overlapped[k] else t, load_end)
        load_end = start_load + load_ns[k]
        start = max(t, load_end) if load_ns[k] else t
        prev_start = start
        t = start + batch * compute + batch * between_ns[k]
        if events is not None:
            events.append((start_load, load_end, start, start + batch * compute))
    return t


def _serial_timeline(step_ns, load_ns, batch: int, between_ns, events) -> float:
    """:func:`timeline` when no load overlaps: load, compute, digital work, in turn."""
    load = np.asarray(load_ns, dtype=float)
    run = batch * np.asarray(step_ns, dtype=float)
    span = load + run + batch * np.asarray(between_ns, dtype=float)
    end = np.cumsum(span)
    if events is not None and end.size:
        start_load = end - span
        start = start_load + load
        events.extend(zip(start_load.tolist(), start.tolist(), start.tolist(),
                          (start + run).tolist()))
    return float(end[-1]) if end.size else 0.0


def pipelined_batch_ns(sched: Schedule, step_ns, load_ns, batch: int, between_ns,
                       step_macro) -> float:
    """Time (ns) of one batch when the steps of each phase (from a step that loads to the
    next one) pipeline over the batch: one input passes through the phase, then one more
    leaves per period of the phase's busiest resource, a macro (the sum of its times over
    the phase's steps) or the digital engine (the work between the steps). Loads are
    placed as :func:`timeline` places them. ``step_macro``: (step, macro, ns) of every
    step's work on each macro."""
    step_ns = np.asarray(step_ns, dtype=float)
    between_ns = np.asarray(between_ns, dtype=float)
    n = step_ns.size
    if batch == 1 or n == 0:
        return timeline(sched, step_ns, load_ns, batch, between_ns)
    loads = np.diff(sched.load_ptr) > 0
    phase = np.cumsum(np.r_[False, loads[1:]])           # phase of each step
    n_ph = int(phase[-1]) + 1
    first = np.bincount(phase, weights=step_ns + between_ns, minlength=n_ph)
    step, macro, ns = step_macro
    M = int(macro.max()) + 1 if macro.size else 1
    busy = np.bincount(phase[step] * M + macro, weights=ns, minlength=n_ph * M)
    period = np.maximum(busy.reshape(n_ph, M).max(axis=1),
                        np.bincount(phase, weights=between_ns, minlength=n_ph))
    pipe = first + (batch - 1) * period
    scale = np.divide(pipe, batch * first, out=np.ones(n_ph), where=first > 0)
    return timeline(sched, step_ns * scale[phase], load_ns, batch, between_ns * scale[phase])

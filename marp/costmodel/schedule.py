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

import bisect
import heapq
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Schedule:
    """The residency schedule of one mapping on a bank (steady state, per batch).

    Attributes
    ----------
    bank_arrays, pinned_arrays, rotating_arrays : int
        B, P and R = B - P.
    pinned : tuple of int
        Images resident across inferences.
    steps : tuple of (layer, tuple of images)
        Every wave of every analog layer in execution order; its rotating images (a
        layer with only pinned images has one step with none).
    loads : tuple of tuple of int
        Per step, the images written before it (steady state).
    overlapped : tuple of bool
        Per step, whether its load may overlap the previous step (``write_overlap`` and
        no eviction of an image that step uses).
    slot_writes : tuple of int
        Loads into each rotating slot per batch (for endurance).
    """

    bank_arrays: int
    pinned_arrays: int
    rotating_arrays: int
    pinned: tuple
    steps: tuple
    loads: tuple
    overlapped: tuple
    slot_writes: tuple

    @property
    def phases(self) -> int:
        """Steps that load something, per batch (1 when nothing is ever loaded)."""
        return max(1, sum(1 for load in self.loads if load))

    @property
    def fits(self) -> bool:
        return not any(self.loads)


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


def _layer_images(blocks, packing, n_layers):
    """Per layer, the sorted images holding its blocks (empty for digital layers)."""
    pairs = np.unique(np.stack([blocks.layer.astype(np.int64),
                                packing.array.astype(np.int64)]), axis=1)
    out = [[] for _ in range(n_layers)]
    for layer, image in pairs.T.tolist():
        out[layer].append(image)
    return out


def _steps(layer_images, order, pinned, R):
    steps = []
    for layer in order:
        imgs = layer_images[layer]
        if not imgs:
            continue                                  # digital: no array step
        rot = [i for i in imgs if i not in pinned]
        if not rot:
            steps.append((layer, ()))
        for k in range(0, len(rot), R):
            steps.append((layer, tuple(rot[k:k + R])))
    return steps


def _next_uses(steps, cycles):
    """Per image, the sorted step numbers (over ``cycles`` repetitions) that use it."""
    uses = {}
    n = len(steps)
    for c in range(cycles):
        for s, (_, imgs) in enumerate(steps):
            for i in imgs:
                uses.setdefault(i, []).append(c * n + s)
    return uses


def _victims(resident, need, count, now, uses, previous):
    """``count`` resident images to evict for step ``now``: not needed now, preferring
    ones the previous step does not use, then the farthest next use (Belady)."""
    def key(i):
        nxt = uses[i]
        k = bisect.bisect_right(nxt, now)
        far = nxt[k] if k < len(nxt) else float("inf")
        return (i in previous, -far, i)
    return heapq.nsmallest(count, [i for i in resident if i not in need], key=key)


def build(blocks, packing, n_layers, order, bank: int, *, pinned=None,
          overlap: bool = False) -> Schedule:
    """The schedule of a packing on ``bank`` arrays (see the module doc); ``pinned``
    defaults to :func:`choose_pinned`, ``order`` is the layers' execution order."""
    cells, _ = image_cells_rows(blocks, packing)
    if packing.arrays_used <= bank:
        pinned = tuple(range(packing.arrays_used))
    elif pinned is None:
        pinned = choose_pinned(cells, bank)
    pinned = tuple(sorted(pinned))
    R = bank - len(pinned)
    if R < 1 and packing.arrays_used > bank:
        raise ValueError(f"pinned={len(pinned)} images leave no array of the {bank} to "
                         f"rotate the other {packing.arrays_used - len(pinned)} through")
    steps = _steps(_layer_images(blocks, packing, n_layers), order, set(pinned), max(R, 1))
    loads, overlapped, slot_writes = _simulate(steps, max(R, 1), overlap)
    return Schedule(bank_arrays=bank, pinned_arrays=len(pinned), rotating_arrays=R,
                    pinned=pinned, steps=tuple(steps), loads=tuple(loads),
                    overlapped=tuple(overlapped), slot_writes=tuple(slot_writes))


def _simulate(steps, R, overlap):
    """Belady residency over two repetitions; the second one's loads (steady state)."""
    n = len(steps)
    uses = _next_uses(steps, 2)
    resident, slot_of, free = set(), {}, list(range(R))
    writes = [0] * R
    loads, overlapped = [], []
    for now in range(2 * n):
        need = set(steps[now % n][1])
        missing = sorted(need - resident)
        previous = set(steps[(now - 1) % n][1]) if now else set()
        evict = _victims(resident, need, len(missing) - len(free), now, uses, previous) \
            if len(missing) > len(free) else []
        for v in evict:
            resident.discard(v)
            free.append(slot_of.pop(v))
        free.sort()
        for i in missing:
            slot_of[i] = free.pop(0)
            resident.add(i)
            if now >= n:
                writes[slot_of[i]] += 1
        if now >= n:
            loads.append(tuple(missing))
            overlapped.append(bool(overlap and missing and not (set(evict) & previous)))
    return loads, overlapped, writes


def _lanes(durations, lanes: int) -> float:
    """Finish time of ``durations`` on ``lanes`` parallel writers (longest first, each to
    the least loaded writer)."""
    load = [0.0] * max(1, min(lanes, len(durations)))
    for d in sorted(durations, reverse=True):
        k = load.index(min(load))
        load[k] += d
    return max(load) if durations else 0.0


def load_times(sched: Schedule, rows, cells, arch, source_gb_per_s: float) -> list:
    """Per step, the time (ns) to load its images: the longer of writing their rows and
    fetching their bits."""
    a = arch.aimc
    out = []
    for load in sched.loads:
        write = _lanes([rows[i] * a.t_write_row_ns for i in load], a.write_parallel_arrays)
        fetch = sum(cells[i] for i in load) * a.cell_bits / 8 / source_gb_per_s
        out.append(max(write, fetch))
    return out


def timeline(sched: Schedule, step_ns, load_ns, batch: int, between_ns) -> float:
    """Time (ns) of one batch: each step computes ``batch`` inputs after its load; a load
    marked overlapped starts with the previous step, else after it. ``between_ns[k]`` is
    work on the digital engine that runs after step k (before step 0: index -1 unused)."""
    t = 0.0                   # end of the compute so far
    load_end = 0.0            # the write port is busy until then
    prev_start = 0.0
    for k, compute in enumerate(step_ns):
        start_load = max(prev_start if sched.overlapped[k] else t, load_end)
        load_end = start_load + load_ns[k]
        start = max(t, load_end) if load_ns[k] else t
        prev_start = start
        t = start + batch * compute + batch * between_ns[k]
    return t

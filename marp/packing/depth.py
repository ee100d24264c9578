"""Macros with cell-group depth: which macro and slot holds each array image.

A macro of depth M (ZigZag-IMC's D1 x D2 x M) holds M array images, its *slots*; the
slots share the macro's DACs and ADCs, so one computes at a time. Packing is three-
dimensional, (macro, slot, row, col), and splits in two: the 2-D kernels pack blocks into
images (a slot is a bin) and :func:`assign_slots` puts the images into macros.

Nothing is lost by the split: a tile sits in exactly one slot, so a 3-D packing is a 2-D
packing whose bins are grouped M at a time; the fewest slots is the 2-D optimum and the
fewest macros is ``ceil(slots / M)``, which stacking reaches. What the grouping does
change is time (slots of a macro serialise), hence the policies:

* ``"stack"``: images fill a macro's slots in packing order before the next macro opens
  (fewest macros).
* ``"spread"``: every macro the bank has is used and each image goes, longest first, to
  the macro where it adds least to its layers' busiest macro (a layer's tiles on
  different macros run in parallel; on one macro they take the sum of their times).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from marp import _validate
from marp._registry import Choice, Registry

SLOT_POLICIES = Registry("slot policy", (
    Choice("stack", "fill each macro's slots before opening the next (fewest macros)"),
    Choice("spread", "use every macro of the bank, a layer's tiles over different macros "
                     "(parallelism)"),
))


@dataclass(frozen=True, eq=False)
class Slots:
    """The macro and slot of every array image of a packing.

    Attributes
    ----------
    macro, slot : int32 arrays
        Per image (``packing.array`` indexes them).
    depth : int
        Slots per macro.
    policy : str
        The policy that assigned them (``"external"`` when read back or built elsewhere).
    """

    macro: np.ndarray
    slot: np.ndarray
    depth: int
    policy: str = "external"

    @property
    def macros_used(self) -> int:
        """Macros holding at least one image."""
        return int(np.unique(self.macro).size)

    def __len__(self) -> int:
        return int(self.macro.size)

    def __eq__(self, other) -> bool:
        return isinstance(other, Slots) and self.depth == other.depth and \
            np.array_equal(self.macro, other.macro) and np.array_equal(self.slot, other.slot)

    def of_blocks(self, packing) -> tuple[np.ndarray, np.ndarray]:
        """(macro, slot) of each rectangle of ``packing`` (-1 where unplaced)."""
        a = packing.array
        ok = a >= 0
        return (np.where(ok, self.macro[np.where(ok, a, 0)], -1),
                np.where(ok, self.slot[np.where(ok, a, 0)], -1))

    def to_dict(self) -> dict:
        return {"macro": self.macro.tolist(), "slot": self.slot.tolist(),
                "depth": self.depth, "policy": self.policy}

    @classmethod
    def from_dict(cls, d: dict) -> "Slots":
        return cls(np.asarray(d["macro"], dtype=np.int32),
                   np.asarray(d["slot"], dtype=np.int32), int(d["depth"]),
                   d.get("policy", "external"))


def stacked(n_images: int, depth: int) -> Slots:
    """Images in order, ``depth`` to a macro: image i in macro ``i // depth``."""
    i = np.arange(n_images, dtype=np.int32)
    return Slots(i // depth, i % depth, int(depth), "stack")


def _spread(n_images, depth, macros, image, layer, time) -> np.ndarray:
    """The macro of each image under "spread" (see the module doc)."""
    n_mac = max(-(-n_images // depth), min(macros, n_images))
    # per (layer, image) time, the image's total time first
    n_layers = int(layer.max()) + 1 if layer.size else 1
    key = layer.astype(np.int64) * n_images + image
    uniq, inv = np.unique(key, return_inverse=True)
    t = np.bincount(inv.ravel(), weights=time)
    g_layer, g_image = uniq // n_images, uniq % n_images
    total = np.bincount(g_image, weights=t, minlength=n_images)
    by_image = np.argsort(g_image, kind="stable")
    ptr = np.searchsorted(g_image[by_image], np.arange(n_images + 1))
    load = np.zeros((n_layers, n_mac))
    count = np.zeros(n_mac, dtype=np.int64)
    busy = np.zeros(n_mac)
    out = np.empty(n_images, dtype=np.int32)
    for img in np.lexsort((np.arange(n_images), -total)):
        sel = by_image[ptr[img]:ptr[img + 1]]
        ls, ts = g_layer[sel], t[sel]
        free = np.flatnonzero(count < depth)
        rows = load[ls][:, free]                     # (layers of the image, free macros)
        peak = load[ls].max(axis=1, initial=0.0)[:, None]
        grow = (np.maximum(peak, rows + ts[:, None]) - peak).sum(axis=0)
        m = int(free[np.lexsort((free, busy[free], grow))[0]])
        out[img] = m
        load[ls, m] += ts
        count[m] += 1
        busy[m] += total[img]
    return out


def assign_slots(n_images: int, depth: int, macros: int | None = None,
                 policy: str = "stack", image=None, layer=None, time=None) -> Slots:
    """Put ``n_images`` array images into macros of ``depth`` slots.

    Parameters
    ----------
    n_images : int
        Images of the packing (``packing.arrays_used``).
    depth : int
        Slots per macro.
    macros : int or None
        Macros in the bank; "spread" uses ``min(macros, n_images)`` of them (at least
        ``ceil(n_images / depth)``). Default: as many as stacking needs.
    policy : {"stack", "spread"}
    image, layer, time : arrays, one entry per block (``packing.array``, the block's
        layer and its compute time per inference); "spread" needs them.

    Returns
    -------
    Slots
    """
    n_images = _validate.positive_int("n_images", n_images, allow_zero=True)
    depth = _validate.positive_int("depth", depth)
    SLOT_POLICIES.get(policy)
    if policy == "stack" or n_images == 0 or macros is None:
        return stacked(n_images, depth)
    if image is None or layer is None or time is None:
        raise ValueError("assign_slots(policy='spread') needs image, layer and time per "
                         "block")
    image = np.asarray(image, dtype=np.int64)
    layer = np.asarray(layer, dtype=np.int64)
    time = np.asarray(time, dtype=float)
    if not image.shape == layer.shape == time.shape or \
            image.size and (image.min() < 0 or image.max() >= n_images):
        raise ValueError(f"image, layer and time must be equally long with images in "
                         f"[0, {n_images})")
    macro = _spread(n_images, depth, _validate.positive_int("macros", macros), image,
                    layer, time)
    slot = np.zeros(n_images, dtype=np.int32)
    order = np.lexsort((np.arange(n_images), macro))
    first = np.searchsorted(macro[order], macro[order])
    slot[order] = np.arange(n_images) - first          # rank within its macro
    return Slots(macro, slot, depth, "spread")


def verify_slots(slots: Slots, n_images: int, macros: int | None = None) -> None:
    """Raise ValueError unless every image has one (macro, slot), no two share one, slots
    are below ``depth`` and macros below ``macros`` (when given)."""
    m, s = slots.macro, slots.slot
    if m.size != n_images or s.size != n_images:
        raise ValueError(f"slots: {m.size} macro and {s.size} slot entries for "
                         f"{n_images} images")
    if n_images == 0:
        return
    bad = np.flatnonzero((m < 0) | (s < 0) | (s >= slots.depth) |
                         ((m >= macros) if macros is not None else False))
    if bad.size:
        i = int(bad[0])
        raise ValueError(f"slots: image {i} at macro {m[i]}, slot {s[i]} is outside "
                         f"{macros if macros is not None else 'any number of'} macros of "
                         f"{slots.depth} slots")
    key = m.astype(np.int64) * slots.depth + s
    uniq, count = np.unique(key, return_counts=True)
    if (count > 1).any():
        k = int(uniq[np.flatnonzero(count > 1)[0]])
        raise ValueError(f"slots: macro {k // slots.depth}, slot {k % slots.depth} holds "
                         f"{int(count.max())} images")

"""Every option of a compile in one frozen, validated object: :class:`CompileOptions`.

``marp.compile(models, arch, **keywords)`` builds one from its keywords, the CLI builds one
from its flags; it is passed whole to the searches (so no search path can drop an
option) and stored in the :class:`~marp.compiler.mapping.Mapping` and its JSON. The named
choices (objectives, replication modes, bundled examples) are registries: an unknown name
raises a ValueError listing the names that exist.
"""
from __future__ import annotations

import dataclasses
import math
import numbers
from dataclasses import dataclass
from pathlib import Path

from marp._registry import Choice, Registry
from marp.compiler.capacity import CAPACITY
from marp.packing.depth import SLOT_POLICIES
from marp.compiler.precision import table as precision_table
from marp._validate import positive_int
from marp.packing.registry import ALGORITHMS
from marp.workload.lowering import DEPTHWISE, GROUPED, SLICE_LAYOUTS

DEFAULT_PACKING = "maxrects-bssf"

OBJECTIVES = Registry("objective", [
    Choice("arrays", "the fewest arrays the packer finds"),
    Choice("latency", "the lowest latency reachable by spreading blocks, on the fewest "
                      "arrays that reach it"),
])
REPLICATION = Registry("replicate", [
    Choice("throughput", "copies of bottleneck layers maximising throughput (LRMP)"),
    Choice("latency", "copies of slow layers minimising the sequential latency"),
])


@dataclass(frozen=True)
class Example:
    """A bundled set of models (``marp compile --example NAME``)."""

    name: str
    models: tuple
    description: str

    def paths(self) -> list[Path]:
        folder = Path(__file__).resolve().parents[1] / "data" / "mlperf_tiny"
        return [folder / f"{m}.onnx" for m in self.models]


EXAMPLES = Registry("example", [
    Example("mlperf-tiny", ("kws_dscnn_int8_qdq", "vww_mobilenetv1_025_96_int8_qdq",
                            "ic_resnet8_int8_qdq", "ad01_autoencoder_int8_qdq"),
            "the four MLPerf Tiny int8 QDQ models (keyword spotting, visual wake words, "
            "image classification, anomaly detection)"),
])

# stored in the mapping JSON in this order (schema version 1); jobs is a run setting
# that does not change the result, and geometries is written only when given
_STORED = ("input_shapes", "batch", "precision", "precision_budget", "precision_bits",
           "depthwise", "grouped", "slice_layout", "c_job", "packing", "exact_seconds", "refine_seconds", "refine_iterations",
           "one_to_one", "latency_us", "replicate", "replicate_arrays", "objective",
           "spread_layer_tiles", "capacity", "slot_policy", "seed")


def example_models(name: str) -> list[Path]:
    """Paths of the models of a bundled example set (``"mlperf-tiny"``)."""
    return EXAMPLES.get(name).paths()


@dataclass(frozen=True)
class CompileOptions:
    """The options of :func:`marp.compile`, validated when built.

    Parameters
    ----------
    input_shapes : dict or None
        ``{input name: shape}`` for graph inputs with symbolic dimensions, given to every
        model loaded from a file (each takes the names it has; a name no model has is an
        error).
    batch : int
        Size of symbolic leading (batch) dimensions of the models' inputs; vectors and
        MACs stay per inference (see :func:`marp.load_onnx`).
    precision : dict or None
        Per-layer bits by layer name, ``{name: {"weight_bits": w, "act_bits": a}}`` (or
        ``{name: w}``); unlisted layers take the arch's (:mod:`marp.compiler.precision`).
    precision_budget : int or None
        Arrays the packing must fit in by lowering per-layer weight bits through
        ``precision_bits`` (the rule: :mod:`marp.compiler.precision`); the bits each layer
        got are in the report's ``weight_bits`` column.
    precision_bits : tuple of int
        The weight precisions ``precision_budget`` may choose from, highest first
        (default 8, 6, 4); a layer never goes above its own bits.
    depthwise : {"digital", "diagonal"}
        Where depthwise layers (one input channel per group) run: the digital engine, or
        the arrays as block-diagonal jobs (:data:`marp.workload.lowering.DEPTHWISE`).
    grouped : {"diagonal", "digital"}
        The same choice for the other grouped layers (e.g. groups=2), arrays by default
        (:data:`marp.workload.lowering.GROUPED`). The summary lists every layer that
        runs on the digital engine, with why and its share of the MACs.
    slice_layout : {"adjacent", "separate"}
        Bit slices of a weight in adjacent columns of one matrix, or each slice its own
        copy of the matrix as LRMP counts tiles
        (:data:`marp.workload.lowering.SLICE_LAYOUTS`).
    c_job : int or None
        Groups per block-diagonal job of the layers mapped as diagonals; None puts all
        groups of a layer in one job. Only valid when ``depthwise`` or ``grouped`` is
        ``"diagonal"``.
    packing : str
        Packing heuristic, a name of :data:`marp.ALGORITHMS`.
    refine_seconds, refine_iterations : float or None, int or None
        Budget of the packing refinement (see :func:`marp.pack`); None on both: none.
    exact_seconds : float or None
        Then try for this long to prove the array count optimal or reach the lower bound
        (CP-SAT, extra ``exact``; see :func:`marp.pack`); the summary's
        ``packing_status`` says what is proven.
    one_to_one : bool
        Map every block alone on its own array (the baseline) instead of packing. Not
        valid with the searches (latency_us, objective="latency", geometries), with
        spread_layer_tiles, with refinement, another packing heuristic or a seed.
    latency_us : float or None
        Find the fewest arrays whose mapping meets this sequential latency
        (:mod:`marp.compiler.search`); the bank is sized to them.
    geometries : sequence of (rows, cols) or None
        Array sizes tried by the latency search (needs ``latency_us``); the one with the
        fewest arrays wins, then the highest utilisation. Every other option applies on
        each geometry.
    objective : {"arrays", "latency"}
        "latency" spreads blocks until latency stops falling and keeps the fewest arrays
        at that latency. Not valid with ``latency_us`` (which sets the target itself).
    replicate : {"throughput", "latency"} or None
        Copy bottleneck layers, factors chosen exactly under ``replicate_arrays``
        (:mod:`marp.compiler.replication`).
    replicate_arrays : int or None
        Array budget of the replication (one array per block of each copy); the bank by
        default. Only valid with ``replicate``.
    spread_layer_tiles : bool
        No array holds two blocks of one layer (they run in parallel).
    capacity : {"marp", "packed", "layerwise"}
        How blocks are packed when they need more arrays than the bank has
        (:mod:`marp.compiler.capacity`): pinned arrays plus phases packed across layers
        (fewest cells rewritten per inference), the whole-network packing, or every
        layer alone. With one_to_one, replicate or spread_layer_tiles the packing is kept
        as made ("packed", the only value allowed with them); the summary names the
        policy used. The latency searches size the bank to the arrays, so nothing rotates.
    slot_policy : {"stack", "spread"}
        With arrays of depth (``aimc.depth`` > 1, macros of several weight slots that
        compute one at a time): fill each macro's slots before the next (fewest macros)
        or use every macro of the bank, a layer's tiles over different macros
        (:func:`marp.assign_slots`).
    jobs : int
        Processes that load the models (a run setting: the mapping does not depend on it).
    cache : bool
        Read model files through the cache of parsed models
        (:mod:`marp.compiler.model_cache`; a run setting, off by default in the library,
        on in the CLI unless ``--no-cache``).
    seed : int
        Seed of the packing's random choices and of the refinement.
    """

    input_shapes: dict | None = None
    batch: int = 1
    precision: dict | None = None
    precision_budget: int | None = None
    precision_bits: tuple = (8, 6, 4)
    depthwise: str = "digital"
    grouped: str = "diagonal"
    slice_layout: str = "adjacent"
    c_job: int | None = None
    packing: str = DEFAULT_PACKING
    refine_seconds: float | None = None
    refine_iterations: int | None = None
    exact_seconds: float | None = None
    one_to_one: bool = False
    latency_us: float | None = None
    geometries: tuple | None = None
    objective: str = "arrays"
    replicate: str | None = None
    replicate_arrays: int | None = None
    spread_layer_tiles: bool = False
    capacity: str = "marp"
    slot_policy: str = "stack"
    jobs: int = 1
    cache: bool = False
    seed: int = 0

    def __post_init__(self):
        set_ = object.__setattr__          # frozen: normalise once, here
        DEPTHWISE.get(self.depthwise)
        GROUPED.get(self.grouped)
        SLICE_LAYOUTS.get(self.slice_layout)
        ALGORITHMS.get(self.packing)
        OBJECTIVES.get(self.objective)
        CAPACITY.get(self.capacity)
        SLOT_POLICIES.get(self.slot_policy)
        if self.replicate is not None:
            REPLICATION.get(self.replicate)
        if self.precision is not None:
            set_(self, "precision", precision_table(self.precision))
        bits = tuple(positive_int(f"precision_bits[{i}]", b, high=32)
                     for i, b in enumerate(self.precision_bits))
        if not bits:
            raise ValueError("precision_bits is empty: give at least one weight precision")
        set_(self, "precision_bits", tuple(sorted(set(bits), reverse=True)))
        for name in ("c_job", "replicate_arrays", "precision_budget"):
            value = getattr(self, name)
            if value is not None:
                set_(self, name, positive_int(name, value))
        if self.refine_iterations is not None:
            set_(self, "refine_iterations", positive_int(
                "refine_iterations", self.refine_iterations, allow_zero=True))
        set_(self, "refine_seconds", _number("refine_seconds", self.refine_seconds, 0.0))
        set_(self, "exact_seconds", _number("exact_seconds", self.exact_seconds, 0.0))
        set_(self, "latency_us", _number("latency_us", self.latency_us, None))
        set_(self, "jobs", positive_int("jobs", self.jobs))
        set_(self, "batch", positive_int("batch", self.batch))
        if self.input_shapes is not None:
            set_(self, "input_shapes", _input_shapes(self.input_shapes))
        set_(self, "seed", positive_int("seed", self.seed, allow_zero=True))
        for name in ("one_to_one", "spread_layer_tiles", "cache"):
            if not isinstance(getattr(self, name), (bool, int)):
                raise TypeError(f"{name} must be a bool, got {getattr(self, name)!r}")
            set_(self, name, bool(getattr(self, name)))
        if self.geometries is not None:
            set_(self, "geometries", _geometries(self.geometries))
        self._check_combinations()

    def _check_combinations(self):
        """Combinations that cannot all take effect raise instead of dropping one."""
        def refuse(what, why):
            raise ValueError(f"{what} is not supported: {why}")

        if self.c_job is not None and "diagonal" not in (self.depthwise, self.grouped):
            refuse(f"c_job={self.c_job} with depthwise={self.depthwise!r} and "
                   f"grouped={self.grouped!r}", "c_job sizes the block-diagonal jobs of "
                   "depthwise='diagonal' or grouped='diagonal'")
        if self.replicate_arrays is not None and self.replicate is None:
            refuse("replicate_arrays without replicate", "it is the replication's budget")
        if self.geometries is not None and self.latency_us is None:
            refuse("geometries without latency_us", "geometries are searched only with "
                   "latency_us")
        if self.objective == "latency" and self.latency_us is not None:
            refuse("objective='latency' with latency_us", "give one: latency_us asks for "
                   "the fewest arrays meeting it, objective='latency' for the lowest latency")
        if self.capacity != "marp":
            clash = [name for name, on in (
                ("one_to_one", self.one_to_one), ("replicate", self.replicate is not None),
                ("spread_layer_tiles", self.spread_layer_tiles),
                ("latency_us", self.latency_us is not None),
                ("objective='latency'", self.objective == "latency")) if on]
            if clash:
                refuse(f"capacity={self.capacity!r} with {', '.join(clash)}", "these keep "
                       "their own placement (or size the bank to it), so the whole-network "
                       "packing is what runs on a bank too small for it")
        if self.one_to_one:
            clash = [name for name, on in (
                ("latency_us", self.latency_us is not None),
                ("objective='latency'", self.objective == "latency"),
                ("spread_layer_tiles", self.spread_layer_tiles),
                ("refine_seconds", self.refine_seconds is not None),
                ("refine_iterations", self.refine_iterations is not None),
                ("exact_seconds", self.exact_seconds is not None),
                (f"packing={self.packing!r}", self.packing != DEFAULT_PACKING),
                (f"seed={self.seed}", self.seed != 0),
                (f"capacity={self.capacity!r}", self.capacity != "marp")) if on]
            if clash:
                refuse(f"one_to_one=True with {', '.join(clash)}", "the one-to-one "
                       "baseline places every block alone, so nothing is packed or moved")

    def replace(self, **changes) -> "CompileOptions":
        """A validated copy with ``changes``."""
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        """The options stored in a mapping's JSON (see ``_STORED``)."""
        out = {name: getattr(self, name) for name in _STORED}
        out["precision_bits"] = list(self.precision_bits)
        if self.input_shapes is not None:
            out["input_shapes"] = {k: list(v) for k, v in self.input_shapes.items()}
        if self.geometries is not None:
            out["geometries"] = [list(g) for g in self.geometries]
        return out

    @classmethod
    def from_dict(cls, doc: dict) -> "CompileOptions":
        """Options read back from :meth:`to_dict` (keys it does not know are refused)."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(doc) - known)
        if unknown:
            raise ValueError(f"options: unknown keys {unknown}; known: {sorted(known)}")
        return cls(**doc)


def _number(name, value, low):
    """None, or a finite float (>= low when low is given, else > 0)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or (value < low if low is not None else value <= 0):
        raise ValueError(f"{name} must be a finite number "
                         f"{'>= ' + str(low) if low is not None else '> 0'}, got {value}")
    return value


def _input_shapes(values) -> dict:
    """{name: tuple of positive ints}, checked."""
    if not isinstance(values, dict):
        raise TypeError(f"input_shapes must be a dict of input name -> shape, got "
                        f"{type(values).__name__}")
    out = {}
    for name, shape in values.items():
        if not isinstance(name, str) or not name:
            raise ValueError(f"input_shapes: {name!r} is not an input name")
        try:
            dims = list(shape)
        except TypeError:
            raise ValueError(f"input_shapes[{name!r}] = {shape!r} is not a shape (a list "
                             f"of sizes)") from None
        out[name] = tuple(positive_int(f"input_shapes[{name!r}][{i}]", d)
                          for i, d in enumerate(dims))
    return out


def _geometries(values) -> tuple:
    out = []
    for i, g in enumerate(values):
        try:
            rows, cols = g
        except (TypeError, ValueError):
            raise ValueError(f"geometries[{i}] = {g!r} is not a (rows, cols) pair") from None
        out.append((positive_int(f"geometries[{i}] rows", rows),
                    positive_int(f"geometries[{i}] cols", cols)))
    if not out:
        raise ValueError("geometries is empty: give at least one (rows, cols)")
    return tuple(out)

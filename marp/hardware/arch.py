"""Accelerator descriptions: ``load_arch(path_or_name) -> Arch``, frozen and validated.

A config is YAML with three sections: ``aimc`` (the analog bank), ``digital`` (the engine
for depthwise and other non-AIMC work) and ``schedule``. Every key carries its unit in its
name. Validation collects every problem (unknown key, missing key, wrong type, value out
of range) and reports each with its key path and the expected range.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from marp._validate import MAX_SIDE, ArrayShape
from marp.hardware import config_files
from marp.hardware.config_files import ArchError

ADC_ENERGY_MODELS = ("constant", "zigzag")
MODEL_ORDERS = ("sequential", "interleaved")


# key -> (type, minimum, maximum, must be > minimum, description)
INT, FLOAT, BOOL, STR = "int", "float", "bool", "str"
SCHEMA = {
    "aimc": {
        "array_rows": (INT, 1, MAX_SIDE, False, "wordlines (inputs) per array"),
        "array_cols": (INT, 1, MAX_SIDE, False, "bitlines (outputs) per array"),
        "arrays": (INT, 1, None, False, "arrays (macros) in the bank; aimc.macros is "
                   "the same key"),
        "depth": (INT, 1, 4096, False, "weight slots behind each cell (ZigZag-IMC's "
                  "cell-group depth M): the slots of an array share its DACs, ADCs and "
                  "op, one computes at a time; 1: a flat array"),
        "cell_bits": (INT, 1, 16, False, "bits stored per cell"),
        "differential": (BOOL, None, None, False, "signed weights on device pairs"),
        "weight_bits": (INT, 1, 32, False, "default weight precision"),
        "act_bits": (INT, 1, 32, False, "input activation precision"),
        "dac_bits": (INT, 1, 32, False, "input bits applied per cycle"),
        "row_parallelism": (INT, 1, None, False, "rows activated in one array op"),
        "adcs_per_array": (INT, 1, None, False, "ADCs shared by the bitlines"),
        "adc_bits": (INT, 1, 16, False, "ADC resolution"),
        "adc_energy_model": (STR, None, None, False, "constant or zigzag"),
        "e_adc_pj": (FLOAT, 0, None, False, "energy per conversion (constant model)"),
        "e_shift_add_pj": (FLOAT, 0, None, False, "digital shift-add per conversion"),
        "vdd_v": (FLOAT, 0, 10, True, "supply voltage (zigzag ADC model)"),
        "t_array_op_ns": (FLOAT, 0, None, True, "time of one array op"),
        "e_dac_pj": (FLOAT, 0, None, False, "energy per row per input cycle"),
        "e_cell_pj": (FLOAT, 0, None, False, "energy per active cell per input cycle"),
        "e_array_op_pj": (FLOAT, 0, None, False, "fixed energy per array op"),
        "e_write_pj_per_cell": (FLOAT, 0, None, False, "energy to program one cell"),
        "t_write_row_ns": (FLOAT, 0, None, False, "time to program one row"),
        "p_leak_uw_per_array": (FLOAT, 0, None, False, "static power per powered array"),
        "write_parallel_arrays": (INT, 1, None, False, "arrays that can be written at once"),
        "write_overlap": (BOOL, None, None, False, "writes of the next phase may overlap "
                          "the current compute (ping-pong) when they evict nothing it uses"),
        "endurance_cycles": (FLOAT, 0, None, False, "writes a cell survives (0: unlimited)"),
    },
    "digital": {
        "pe_rows": (INT, 1, None, False, "rows of the PE array"),
        "pe_cols": (INT, 1, None, False, "columns of the PE array"),
        "f_mhz": (FLOAT, 0, None, True, "clock"),
        "e_mac_pj": (FLOAT, 0, None, False, "energy per MAC"),
        "e_sram_pj_per_byte": (FLOAT, 0, None, False, "energy per byte moved from SRAM"),
        "p_leak_uw": (FLOAT, 0, None, False, "static power"),
        "psum_bits": (INT, 1, 64, False, "partial sums kept between waves of a layer"),
    },
    "memory": {
        "dram_e_pj_per_bit": (FLOAT, 0, None, False, "off-chip DRAM energy per bit moved"),
        "dram_gb_per_s": (FLOAT, 0, None, True, "off-chip DRAM bandwidth"),
        "weight_buffer_bytes": (INT, 0, None, False, "on-chip weight buffer (0: none)"),
        "weight_buffer_e_pj_per_bit": (FLOAT, 0, None, False, "weight buffer energy per bit"),
        "weight_buffer_gb_per_s": (FLOAT, 0, None, True, "weight buffer bandwidth"),
        "act_buffer_bytes": (INT, 0, None, False, "on-chip activation buffer (0: none)"),
        "act_buffer_e_pj_per_bit": (FLOAT, 0, None, False, "activation buffer energy per "
                                    "bit"),
    },
    "schedule": {
        "batch": (INT, 1, None, False, "inferences per weight (re)load"),
        "model_order": (STR, None, None, False, "sequential (each model in turn) or "
                        "interleaved (one layer of each model in turn)"),
    },
}
TOP_KEYS = {"name": STR, "description": STR}
# keys a config may leave out (added after configs were written): their value then
OPTIONAL = {("aimc", "depth"): 1}
# other names of a key: ZigZag-IMC speaks of macros; an array of depth M is one
ALIASES = {("aimc", "macros"): "arrays"}


class AimcPhysics:
    """The physics of one array op, in one place: the cost model and the peak figures use
    these methods and nothing else. Sizes may be ints or numpy int arrays (per block)."""

    @property
    def shape(self) -> ArrayShape:
        """Size of one array, rows first."""
        return ArrayShape(self.array_rows, self.array_cols)

    @property
    def macros(self) -> int:
        """Macros in the bank: an array of depth M is one macro of M slots."""
        return self.arrays

    @property
    def slots(self) -> int:
        """Array images the bank holds at once: ``arrays * depth``."""
        return self.arrays * self.depth

    def macros_for(self, images: int) -> int:
        """Macros that hold ``images`` array images, slots stacked: ``ceil(images /
        depth)``."""
        return -(-int(images) // self.depth)

    @property
    def e_adc_conversion_pj(self) -> float:
        """Energy of one ADC conversion under the configured model."""
        if self.adc_energy_model == "zigzag":     # (100 fF * B + 0.001 fF * 4^B) * VDD^2
            femto_joule = (100.0 * self.adc_bits + 0.001 * 4.0 ** self.adc_bits) * self.vdd_v ** 2
            return femto_joule / 1000.0
        return self.e_adc_pj

    @property
    def input_cycles(self) -> int:
        """Cycles to apply one input vector: ``ceil(act_bits / dac_bits)``."""
        return -(-self.act_bits // self.dac_bits)

    @property
    def devices_per_conversion(self) -> int:
        """Bitlines read by one ADC conversion: a differential pair is subtracted first."""
        return 2 if self.differential else 1

    def row_groups(self, rows):
        """Row groups activated one after another: ``ceil(rows / row_parallelism)``."""
        return -(-rows // self.row_parallelism)

    def conversions(self, cols):
        """ADC conversions per row group and input cycle for ``cols`` bitlines."""
        return -(-cols // self.devices_per_conversion)

    def adc_rounds(self, cols):
        """Rounds of the shared ADCs over the conversions of ``cols`` bitlines."""
        return -(-self.conversions(cols) // self.adcs_per_array)

    def array_ops(self, rows, cols, cycles=None):
        """Array ops for one vector through a rows x cols block; ``cycles``: input
        cycles (per block when layers differ in input bits), default :attr:`input_cycles`."""
        cycles = self.input_cycles if cycles is None else cycles
        return cycles * self.row_groups(rows) * self.adc_rounds(cols)

    def vector_energy_pj(self, rows, cols, cycles=None):
        """(DAC, ADC + shift-add, cells + fixed op energy) in pJ for one vector through a
        rows x cols block; each row group drives its own rows. ``cycles`` as for
        :meth:`array_ops`."""
        cycles = self.input_cycles if cycles is None else cycles
        e_dac = cycles * rows * self.e_dac_pj
        e_adc = cycles * self.row_groups(rows) * self.conversions(cols) * \
            (self.e_adc_conversion_pj + self.e_shift_add_pj)
        e_array = cycles * rows * cols * self.e_cell_pj + \
            self.array_ops(rows, cols, cycles) * self.e_array_op_pj
        return e_dac, e_adc, e_array


def _section_class(name: str, section: str, base=object):
    """A frozen dataclass with one field per key of ``SCHEMA[section]``: each key is
    written once, in the schema, with its type, range and description."""
    py = {INT: int, FLOAT: float, BOOL: bool, STR: str}
    fields = [(key, py[spec[0]]) for key, spec in SCHEMA[section].items()]
    doc = "\n".join(f"    {key} : {spec[0]}\n        {spec[4]}"
                    for key, spec in SCHEMA[section].items())
    cls = dataclasses.make_dataclass(name, fields, bases=(base,), frozen=True)
    cls.__doc__ = f"The ``{section}`` section of a config (validated).\n\n    Attributes\n" \
                  f"    ----------\n{doc}\n"
    cls.__module__ = __name__
    return cls


AimcConfig = _section_class("AimcConfig", "aimc", AimcPhysics)
DigitalConfig = _section_class("DigitalConfig", "digital")
ScheduleConfig = _section_class("ScheduleConfig", "schedule")
MemoryConfig = _section_class("MemoryConfig", "memory")


@dataclass(frozen=True)
class Arch:
    """A validated accelerator: ``aimc``, ``digital``, ``memory`` and ``schedule``
    sections."""

    name: str
    description: str
    aimc: AimcConfig
    digital: DigitalConfig
    schedule: ScheduleConfig
    source: str = field(compare=False)        # where it was read: not part of equality
    memory: MemoryConfig

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description,
                "aimc": dataclasses.asdict(self.aimc),
                "memory": dataclasses.asdict(self.memory),
                "digital": dataclasses.asdict(self.digital),
                "schedule": dataclasses.asdict(self.schedule)}

    def with_values(self, values: dict) -> "Arch":
        """A copy with {"section.key": value} replaced, validated like a file."""
        quick = self._replaced(values)
        if quick is not None:
            return quick
        doc = self.as_dict()
        for path, value in values.items():
            section, _, key = path.partition(".")
            if section not in SCHEMA or not key:
                raise ArchError(self.source, [f"{path}: not a key (expected section.key, "
                                              f"sections {', '.join(SCHEMA)})"])
            doc[section][ALIASES.get((section, key), key)] = value
        return from_dict(doc, source=f"{self.source} (modified)")

    def _replaced(self, values: dict):
        """``with_values`` for known numeric or boolean keys that pass their checks (the
        sweeps' case, thousands of times): the sections replaced, nothing re-read. None
        when anything needs the full path (it then reports the problems)."""
        changes, problems = {}, []
        cast = {INT: int, FLOAT: float, BOOL: bool}
        for path, value in values.items():
            section, _, key = path.partition(".")
            key = ALIASES.get((section, key), key)
            spec = SCHEMA.get(section, {}).get(key)
            if spec is None or spec[0] not in cast:
                return None
            _check_value(path, value, spec, problems)
            if problems:
                return None
            changes.setdefault(section, {})[key] = cast[spec[0]](value)
        parts = {name: dataclasses.replace(getattr(self, name), **kv)
                 for name, kv in changes.items()}
        return dataclasses.replace(self, source=f"{self.source} (modified)", **parts)

    def geometry_values(self, rows=None, cols=None) -> dict:
        """``with_values`` entries for another array size: rows and/or cols, with row
        parallelism and ADCs capped to the new size (a smaller array has no more)."""
        a, values = self.aimc, {}
        if rows is not None:
            values["aimc.array_rows"] = int(rows)
            values["aimc.row_parallelism"] = min(a.row_parallelism, int(rows))
        if cols is not None:
            values["aimc.array_cols"] = int(cols)
            values["aimc.adcs_per_array"] = min(a.adcs_per_array, int(cols))
        return values

    def peak_ops_per_s(self) -> float:
        """Peak of one full array (2 ops per MAC), every cell used, no reload."""
        a = self.aimc
        seconds = a.array_ops(a.array_rows, a.array_cols) * a.t_array_op_ns * 1e-9
        macs = a.array_rows * a.conversions(a.array_cols) / -(-a.weight_bits // a.cell_bits)
        return 2 * macs / seconds


def _check_value(path, value, spec, problems):
    kind, low, high, strict, what = spec
    if kind == BOOL:
        ok = isinstance(value, bool)
    elif kind == INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif kind == FLOAT:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    else:
        ok = isinstance(value, str)
    if not ok:
        problems.append(f"{path}: expected {kind} ({what}), got {type(value).__name__} "
                        f"{value!r}")
        return
    if kind in (INT, FLOAT):
        if isinstance(value, float) and not math.isfinite(value):
            problems.append(f"{path}: {value} is not finite")
            return
        bounds = f"{'>' if strict else '>='} {low}" + (f" and <= {high}" if high else "")
        if low is not None and (value < low or (strict and value == low)) or \
                high is not None and value > high:
            problems.append(f"{path}: {value} out of range (expected {bounds}; {what})")


def _resolve_aliases(section: str, body: dict, problems: list) -> dict:
    """``body`` with each alias (``aimc.macros``) under its key (``aimc.arrays``); both
    given with different values is a problem."""
    for (sec, alias), key in ALIASES.items():
        if sec != section or alias not in body:
            continue
        body = dict(body)
        value = body.pop(alias)
        if key in body and body[key] != value:
            problems.append(f"{section}.{alias}: {value!r} differs from {section}.{key} "
                            f"{body[key]!r} (the same key: give one)")
        body[key] = value
    return body


def from_dict(doc: dict, source: str = "<dict>") -> Arch:
    """Validate a parsed config and build an Arch; ArchError lists every problem."""
    problems = []
    if not isinstance(doc, dict):
        raise ArchError(source, [f"top level: expected a mapping, got {type(doc).__name__}"])
    for key in doc:
        if key not in SCHEMA and key not in TOP_KEYS:
            problems.append(f"{key}: unknown key (expected one of "
                            f"{', '.join(list(TOP_KEYS) + list(SCHEMA))})")
    sections = {}
    for section, keys in SCHEMA.items():
        body = doc.get(section)
        if not isinstance(body, dict):
            problems.append(f"{section}: missing section" if body is None else
                            f"{section}: expected a mapping, got {type(body).__name__}")
            continue
        body = _resolve_aliases(section, body, problems)
        for key in body:
            if key not in keys:
                problems.append(f"{section}.{key}: unknown key")
        for key, spec in keys.items():
            if key not in body and (section, key) in OPTIONAL:
                body = {**body, key: OPTIONAL[section, key]}
            if key not in body:
                problems.append(f"{section}.{key}: missing ({spec[0]}, {spec[4]})")
            else:
                _check_value(f"{section}.{key}", body[key], spec, problems)
        sections[section] = body
    aimc = sections.get("aimc", {})
    if aimc.get("adc_energy_model") not in (None, *ADC_ENERGY_MODELS):
        problems.append(f"aimc.adc_energy_model: {aimc['adc_energy_model']!r} is not known "
                        f"(expected {' or '.join(ADC_ENERGY_MODELS)})")
    order = sections.get("schedule", {}).get("model_order")
    if order not in (None, *MODEL_ORDERS):
        problems.append(f"schedule.model_order: {order!r} is not known (expected "
                        f"{' or '.join(MODEL_ORDERS)})")
    if problems:
        raise ArchError(source, problems)
    cast = {INT: int, FLOAT: float, BOOL: bool, STR: str}
    built = {s: {k: cast[SCHEMA[s][k][0]](v) for k, v in sections[s].items()} for s in SCHEMA}
    return Arch(name=str(doc.get("name", "")), description=str(doc.get("description", "")),
                aimc=AimcConfig(**built["aimc"]), digital=DigitalConfig(**built["digital"]),
                schedule=ScheduleConfig(**built["schedule"]), source=source,
                memory=MemoryConfig(**built["memory"]))


def available_archs() -> tuple[str, ...]:
    """Names of the bundled configs (``load_arch(name)``)."""
    return config_files.available()


def load_arch(path_or_name, values: dict | None = None) -> Arch:
    """Load a config from a YAML file (which may inherit from another with ``base:``, see
    :mod:`marp.hardware.config_files`), or a bundled one by bare name (e.g. "qracc");
    ``values`` (``{"aimc.arrays": 8}``, the CLI's ``--set``) then replace single keys."""
    if isinstance(path_or_name, Arch):
        return path_or_name.with_values(values) if values else path_or_name
    doc, _, source = config_files.read(path_or_name)
    arch = from_dict(doc, source=source)
    return arch.with_values(values) if values else arch


def describe(path_or_name, values: dict | None = None) -> list[tuple]:
    """(section.key, value, where it was set, the comment there) for every key of the
    resolved config, in schema order (``marp arch show``)."""
    arch = load_arch(path_or_name, values)
    origin = {} if isinstance(path_or_name, Arch) else config_files.read(path_or_name)[1]
    doc = arch.as_dict()
    rows = []
    for section, keys in SCHEMA.items():
        for key in keys:
            path = f"{section}.{key}"
            where, comment = ("--set", "") if values and path in values else \
                origin.get(path, ("default", "not in the file") if (section, key) in
                           OPTIONAL else ("", ""))
            rows.append((path, doc[section][key], where, comment))
    return rows

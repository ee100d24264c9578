"""Work that leaves the arrays, made visible: one row per piece of it in the per-layer
table, and a line saying what it is and how much of the model it carries.

Two kinds run on the digital engine: weight layers a policy sends there (depthwise layers
with ``depthwise="digital"``, grouped layers with ``grouped="digital"``), already rows of
the cost report; and work without weights (``act x act`` products such as attention's
QK^T and AV, pooling), costed in the totals but until now without rows. Each of the latter
gets a row here with the report's columns: its MACs (none for pooling), its share of the
engine's time (the engine runs the non-weight work of a model in one stream, so the time
is shared by work), its energy and activation traffic, and its share of the leakage that
the layer rows do not carry. The layer rows and these rows add up to the totals.
"""
from __future__ import annotations

from marp.costmodel.accounting import digital_ops_cost
from marp.costmodel.memory import activation_traffic


def layer_reasons(kinds, engines) -> list[str]:
    """Per layer row, why it runs on the digital engine ("" on the arrays)."""
    return [("" if e != "digital" else
             "depthwise='digital'" if k == "depthwise" else "grouped='digital'")
            for k, e in zip(kinds, engines)]


def _op_parts(workloads, arch) -> list:
    """Per op (model index, op, work, time ns, energy pJ, act energy pJ, act time ns)."""
    out = []
    for m, w in enumerate(workloads):
        t_model = digital_ops_cost(arch, w)[0]
        work = [op.macs + op.ops for op in w.digital]
        total = sum(work)
        b = max(1, w.batch)
        for op, k in zip(w.digital, work):
            e_act, t_act = activation_traffic(arch, [*op.input_shapes, op.output_shape])
            out.append((m, op, k, t_model * k / total if total else 0.0,
                        k * arch.digital.e_mac_pj, e_act / b, t_act / b))
    return out


def op_rows(workloads, arch, report, columns) -> list[dict]:
    """Rows (keys ``columns`` plus ``model``, ``digital_reason``) of the non-weight
    digital work of every model, in model order (see the module doc)."""
    parts = _op_parts(workloads, arch)
    rest = report.totals["energy_pj"]["leakage"] - float(report.layers["e_leakage_pj"].sum())
    busy = sum(p[3] + p[6] for p in parts)
    f_hz = arch.digital.f_mhz * 1e6
    rows = []
    for m, op, work, t_ns, e_pj, e_act, t_act in parts:
        row = dict.fromkeys(columns, 0)
        row.update(name=op.name, kind=op.kind, engine="digital", model=workloads[m].name,
                   macs=op.macs, cycles=t_ns * f_hz * 1e-9,
                   time_ns=t_ns, act_time_ns=t_act, e_digital_pj=e_pj, e_act_pj=e_act,
                   e_leakage_pj=rest * (t_ns + t_act) / busy if busy > 0 else 0.0,
                   digital_reason=f"no weights ({op.kind})")
        if "act_bits" in row:
            row["act_bits"] = arch.aimc.act_bits
        rows.append(row)
    return rows


def summarise(rows, total_macs: int) -> dict:
    """What left the arrays, from the table's rows: per reason the rows, their names and
    MACs, and the share of all MACs (pooling has ops, not MACs: it adds rows only)."""
    by = {}
    for r in rows:
        reason = r.get("digital_reason")
        if not reason:
            continue
        d = by.setdefault(reason, {"rows": 0, "macs": 0, "names": []})
        d["rows"] += 1
        d["names"].append(r["name"])
        d["macs"] += int(r["macs"])
    macs = sum(d["macs"] for d in by.values())
    return {"by_reason": by, "macs": macs,
            "share_of_macs": macs / total_macs if total_macs else 0.0}


def line(work: dict) -> str | None:
    """One console line, e.g. "on the digital engine: 9 layers (depthwise='digital'),
    2 act x act products: 12.3% of the MACs"; None when nothing left the arrays."""
    if not work["by_reason"]:
        return None
    words = {"no weights (act x act)": "act x act products",
             "no weights (pooling)": "pooling ops"}
    parts = [f"{d['rows']} {words.get(reason, f'layers ({reason})')}"
             for reason, d in work["by_reason"].items()]
    return (f"on the digital engine: {', '.join(parts)}: "
            f"{100 * work['share_of_macs']:.1f}% of the MACs")

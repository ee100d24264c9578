"""Pictures and pages of a mapping: every array as SVG, and a self-contained HTML report."""
from __future__ import annotations

import colorsys
import html

import numpy as np

ARRAY_PX = 150          # the longer side of one drawn array, in pixels
PER_ROW = 8             # arrays per row of the drawing
GAP_PX = 14


def _colour(model: int, layer: int, n_models: int) -> str:
    """A hue per model, a lightness step per layer, so neighbours stay distinguishable."""
    hue = (model / max(1, n_models)) % 1.0
    light = 0.45 + 0.25 * ((layer * 7) % 10) / 10
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def mapping_svg(mapping) -> str:
    """An SVG with one drawing per array used; each block has a hover title
    (model, layer, tile, rows x cols)."""
    b, p = mapping.blocks, mapping.packing
    R, C = b.array_rows, b.array_cols
    scale = ARRAY_PX / max(R, C)
    w_px, h_px = C * scale, R * scale
    n = p.arrays_used
    cols = min(PER_ROW, max(1, n))
    rows = -(-n // cols) if n else 0
    width = cols * (w_px + GAP_PX) + GAP_PX
    height = rows * (h_px + GAP_PX + 12) + GAP_PX
    names = [w.name for w in mapping.workloads]
    layer_names = [name for w in mapping.workloads for name in w.layers.name]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
           f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="sans-serif" font-size="10">']
    for a in range(n):
        ox = GAP_PX + (a % cols) * (w_px + GAP_PX)
        oy = GAP_PX + (a // cols) * (h_px + GAP_PX + 12) + 12
        out.append(f'<g class="array" data-array="{a}"><text x="{ox:.1f}" y="{oy - 3:.1f}">'
                   f'array {a}</text><rect x="{ox:.1f}" y="{oy:.1f}" width="{w_px:.1f}" '
                   f'height="{h_px:.1f}" fill="#f4f4f4" stroke="#555"/>')
        for i in np.flatnonzero(p.array == a):
            layer = int(b.layer[i])
            model = int(mapping.layer_model[layer])
            title = (f"{names[model]} / layer {layer}: {layer_names[layer]} / tile "
                     f"r{int(b.row_tile[i])} c{int(b.col_tile[i])} / "
                     f"{int(b.height[i])} rows x {int(b.width[i])} cols")
            out.append(f'<rect class="block" x="{ox + p.x[i] * scale:.2f}" '
                       f'y="{oy + p.y[i] * scale:.2f}" width="{b.width[i] * scale:.2f}" '
                       f'height="{b.height[i] * scale:.2f}" '
                       f'fill="{_colour(model, layer, len(names))}" stroke="#222" '
                       f'stroke-width="0.4"><title>{html.escape(title)}</title></rect>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _table(rows: list[dict], keys: list[str]) -> str:
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = []
    for r in rows:
        cells = []
        for k in keys:
            v = r.get(k, "")
            v = f"{v:.4g}" if isinstance(v, float) else v
            cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


TIMELINE_PX = 1000       # width of the schedule drawing
TIMELINE_STEPS = 2000    # steps drawn at most (a note says when there are more)


def timeline_svg(steps, total_ns: float) -> str:
    """The residency schedule as two lanes over time: loads (writes of array images) and
    compute steps, each with a hover title; ``steps`` as in ``CostReport.timeline``."""
    steps = list(steps)
    end = max([total_ns] + [s["end_ns"] for s in steps[:TIMELINE_STEPS]]) or 1.0
    scale = (TIMELINE_PX - 80) / end
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{TIMELINE_PX}" height="86" '
           f'font-family="sans-serif" font-size="11" class="timeline">',
           '<text x="0" y="24">writes</text><text x="0" y="56">compute</text>',
           f'<text x="80" y="82">0</text><text x="{TIMELINE_PX}" y="82" '
           f'text-anchor="end">{end / 1e3:.1f} us</text>']
    for k, s in enumerate(steps[:TIMELINE_STEPS]):
        hue = (k * 37) % 360
        if s["loaded"]:
            x, w = 80 + s["load_start_ns"] * scale, (s["load_end_ns"] - s["load_start_ns"])
            out.append(f'<rect x="{x:.2f}" y="12" width="{max(w * scale, 0.5):.2f}" '
                       f'height="18" fill="hsl({hue},60%,55%)"><title>step {k}: write images '
                       f'{", ".join(map(str, s["loaded"]))} ({w:.0f} ns)</title></rect>')
        x, w = 80 + s["start_ns"] * scale, s["end_ns"] - s["start_ns"]
        out.append(f'<rect x="{x:.2f}" y="44" width="{max(w * scale, 0.5):.2f}" height="18" '
                   f'fill="hsl({hue},60%,45%)"><title>step {k}: {html.escape(s["layer"])} '
                   f'on images {", ".join(map(str, s["images"])) or "pinned"} ({w:.0f} ns)'
                   f'</title></rect>')
    out.append("</svg>")
    more = f"<p>First {TIMELINE_STEPS} of {len(steps)} steps.</p>" \
        if len(steps) > TIMELINE_STEPS else ""
    return "".join(out) + more


def _schedule_section(mapping, s) -> str:
    steps = getattr(mapping.report, "timeline", None)
    if not steps:
        return ""
    t = mapping.report.totals
    return (f"<h2>Schedule</h2><p>{html.escape(mapping.capacity_line() or '')}</p>"
            f"<p>{len(steps)} steps; weights from {html.escape(str(t['weight_source']))}; "
            f"{t['weight_bytes_fetched_per_inference']:,.0f} bytes fetched per inference."
            f"</p>{timeline_svg(steps, t['batch_time_ns'])}")


def report_html(mapping, summary=None) -> str:
    """One self-contained page (no network): summary, models, layers, arrays.
    ``summary``: ``mapping.summary`` when the caller already has it."""
    s = summary or mapping.summary
    summary = [{"metric": k, "packed": s[k], "one-to-one": mapping.report.baseline.get(
        {"arrays_one_to_one": "arrays_used"}.get(k, k), "") if mapping.report.baseline else ""}
        for k in ("arrays_used", "utilization", "latency_us", "energy_uj", "tops_per_w",
                  "bank_arrays", "phases", "cells_written_per_inference")]
    layer_keys = ["model", "name", "kind", "engine", "digital_reason", "vectors", "macs",
                  "blocks", "arrays_touched", "time_ns", "e_dac_pj", "e_adc_pj", "e_array_pj",
                  "e_digital_pj", "e_act_pj", "e_write_pj", "e_fetch_pj"]
    model_keys = ["name", "layers", "blocks", "arrays_touched", "arrays_one_to_one", "macs",
                  "latency_us", "energy_uj", "tops_per_w"]
    style = ("body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;"
             "margin:0.5em 0 1.5em}td,th{border:1px solid #bbb;padding:2px 6px;"
             "font-size:12px;text-align:right}th{background:#eee}")
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>marp mapping: "
            f"{html.escape(mapping.arch.name)}</title><style>{style}</style></head><body>"
            f"<h1>marp mapping on {html.escape(mapping.arch.name)}</h1>"
            f"<h2>Summary</h2>{_table(summary, ['metric', 'packed', 'one-to-one'])}"
            f"<h2>Models</h2>{_table(s['models'], model_keys)}"
            f"{_schedule_section(mapping, s)}"
            f"<h2>Layers</h2><p>{html.escape(mapping.digital_line(s) or '')}</p>"
            f"{_table(s['layers'], layer_keys)}"
            f"<h2>Arrays ({mapping.packing.arrays_used})</h2>{mapping_svg(mapping)}"
            f"</body></html>\n")

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


def report_html(mapping, summary=None) -> str:
    """One self-contained page (no network): summary, models, layers, arrays.
    ``summary``: ``mapping.summary`` when the caller already has it."""
    s = summary or mapping.summary
    summary = [{"metric": k, "packed": s[k], "one-to-one": mapping.report.baseline.get(
        {"arrays_one_to_one": "arrays_used"}.get(k, k), "") if mapping.report.baseline else ""}
        for k in ("arrays_used", "utilization", "latency_us", "energy_uj", "tops_per_w")]
    layer_keys = ["model", "name", "kind", "engine", "vectors", "macs", "blocks",
                  "arrays_touched", "time_ns", "e_dac_pj", "e_adc_pj", "e_array_pj",
                  "e_digital_pj"]
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
            f"<h2>Layers</h2>{_table(s['layers'], layer_keys)}"
            f"<h2>Arrays ({mapping.packing.arrays_used})</h2>{mapping_svg(mapping)}"
            f"</body></html>\n")

"""report.html: one self-contained page (no network) a person can read.

At the top, the bank and geometry in one sentence and the summary beside the energy
breakdown (a stacked bar); then the models, the legend (a colour per model, a shade per
layer: the same colours as the drawings), the schedule when weights rotate, the per-layer
table (sortable by any column; long names cut in the middle, whole on hover), and one
drawing per array (rows and columns labelled, fill stated; a click enlarges it).
The page never scrolls sideways: wide tables scroll inside their own box.
"""
from __future__ import annotations

import html

import numpy as np

from marp.io.drawing import block_colour, block_title, timeline_svg

ARRAY_PX = 230           # the longer side of a drawn array, in pixels
NAME_CHARS = 36          # a name longer than this is cut in the middle in the tables
PART_COLOURS = {"dac": "#4e79a7", "adc": "#f28e2b", "array": "#59a14f", "digital": "#b07aa1",
                "act": "#76b7b2", "write": "#e15759", "fetch": "#edc948",
                "leakage": "#9c755f"}

STYLE = """
body{font-family:system-ui,sans-serif;margin:0 auto;padding:1em 1.5em;max-width:1240px;
 box-sizing:border-box;color:#222}
h1{font-size:1.4em;margin:.2em 0}h2{font-size:1.1em;margin:1.2em 0 .4em}
.lead{color:#444;margin:.2em 0 1em}
.top{display:flex;flex-wrap:wrap;gap:1.5em;align-items:flex-start}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;font-size:12px}
td,th{border:1px solid #ccc;padding:2px 6px;text-align:right;white-space:nowrap}
th{background:#eee;position:sticky;top:0}
table.sortable th{cursor:pointer}table.sortable th:hover{background:#ddd}
td.name{text-align:left}
.legend{display:flex;flex-wrap:wrap;gap:.3em 1.2em;font-size:12px}
.legend .model{font-weight:600;margin-top:.3em;width:100%}
.legend span.sw{display:inline-block;width:11px;height:11px;margin-right:4px;
 vertical-align:middle;border:1px solid #555}
.arrays{display:flex;flex-wrap:wrap;gap:14px}
.arrays figure{margin:0;cursor:zoom-in}
.arrays figure.zoom{width:100%;cursor:zoom-out}
.arrays figure.zoom svg{width:100%;height:auto;max-height:90vh}
figcaption{font-size:12px;color:#333}
"""

SCRIPT = """
document.querySelectorAll('table.sortable th').forEach(function (th, col) {
  th.addEventListener('click', function () {
    var body = th.closest('table').tBodies[0];
    var rows = Array.from(body.rows);
    var up = th.dataset.dir !== 'up';
    th.dataset.dir = up ? 'up' : 'down';
    function key(r) {
      var c = r.cells[col]; var v = c.dataset.v !== undefined ? c.dataset.v : c.textContent;
      var n = parseFloat(v); return isNaN(n) ? v : n;
    }
    rows.sort(function (a, b) {
      var x = key(a), y = key(b);
      if (x === y) return 0;
      return ((x < y) === up) ? -1 : 1;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  });
});
document.querySelectorAll('.arrays figure').forEach(function (f) {
  f.addEventListener('click', function () { f.classList.toggle('zoom'); });
});
"""


def short(name: str, limit: int = NAME_CHARS) -> str:
    """A name cut in the middle to ``limit`` characters (the ends say most)."""
    if len(name) <= limit:
        return name
    half = (limit - 1) // 2
    return name[:half] + "\u2026" + name[-(limit - 1 - half):]


def _cell(key: str, value) -> str:
    if key == "name" or key == "model":
        text = str(value)
        return (f'<td class="name" title="{html.escape(text)}" data-v="{html.escape(text)}">'
                f'{html.escape(short(text))}</td>')
    shown = f"{value:.4g}" if isinstance(value, float) else str(value)
    return f'<td data-v="{html.escape(str(value))}">{html.escape(shown)}</td>'


def table(rows: list[dict], keys: list[str], sortable: bool = False) -> str:
    """An HTML table of ``rows`` (dicts) over ``keys``, in a box that scrolls sideways."""
    head = "".join(f"<th>{html.escape(k)}</th>" for k in keys)
    body = "".join("<tr>" + "".join(_cell(k, r.get(k, "")) for k in keys) + "</tr>"
                   for r in rows)
    cls = ' class="sortable"' if sortable else ""
    return (f'<div class="scroll"><table{cls}><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def energy_bar(parts_pj: dict, width: int = 460) -> str:
    """The energy per inference by part, as one stacked bar with a labelled key."""
    total = sum(parts_pj.values()) or 1.0
    x, out = 0.0, [f'<svg class="energy" xmlns="http://www.w3.org/2000/svg" width="{width}" '
                   f'height="{34 + 16 * ((len(parts_pj) + 3) // 4)}" font-size="11" '
                   f'font-family="sans-serif">']
    for k, v in parts_pj.items():
        w = width * v / total
        if w > 0:
            out.append(f'<rect x="{x:.2f}" y="4" width="{w:.2f}" height="20" '
                       f'fill="{PART_COLOURS.get(k, "#999")}"><title>{k}: {v * 1e-6:.4g} uJ '
                       f'({100 * v / total:.1f}%)</title></rect>')
        x += w
    for i, (k, v) in enumerate(parts_pj.items()):
        lx, ly = (i % 4) * (width / 4), 40 + 16 * (i // 4)
        out.append(f'<rect x="{lx:.1f}" y="{ly - 9}" width="10" height="10" '
                   f'fill="{PART_COLOURS.get(k, "#999")}"/><text x="{lx + 14:.1f}" y="{ly}">'
                   f'{k} {100 * v / total:.1f}%</text>')
    out.append("</svg>")
    return "".join(out)


def legend(mapping) -> str:
    """A colour per model, a shade per layer (the drawings' colours): each layer by its
    number, kind and matrix size, its name on hover (exporters' names are long and alike)."""
    out = ['<div class="legend" id="legend">']
    n_models = len(mapping.workloads)
    mapped = set(np.unique(mapping.blocks.layer).tolist())
    layer = 0
    for m, w in enumerate(mapping.workloads):
        out.append(f'<div class="model"><span class="sw" style="background:'
                   f'{block_colour(m, 0, n_models)}"></span>{html.escape(w.name)}</div>')
        L = w.layers
        for k, name in enumerate(L.name):
            if layer in mapped:
                label = f"{layer}: {L.kind[k]} {int(L.rows[k])}x{int(L.cols[k])}"
                out.append(f'<span title="{html.escape(name)}"><span class="sw" '
                           f'style="background:{block_colour(m, layer, n_models)}"></span>'
                           f'{html.escape(label)}</span>')
            layer += 1
    out.append("</div>")
    return "".join(out)


def array_figures(mapping) -> str:
    """One figure per array: an SVG with its blocks (hover titles), rows and columns
    labelled, and a caption with its fill."""
    b, p = mapping.blocks, mapping.packing
    R, C = b.array_rows, b.array_cols
    scale = ARRAY_PX / max(R, C)
    w_px, h_px = C * scale, R * scale
    pad_l, pad_t = 34, 14
    area = b.height.astype(np.int64) * b.width
    fill = np.bincount(p.array[p.placed], weights=area[p.placed], minlength=p.arrays_used)
    n_models = len(mapping.workloads)
    out = ['<div class="arrays">']
    for a in range(p.arrays_used):
        out.append(f'<figure><svg xmlns="http://www.w3.org/2000/svg" '
                   f'viewBox="0 0 {w_px + pad_l + 4:.0f} {h_px + pad_t + 16:.0f}" '
                   f'width="{w_px + pad_l + 4:.0f}" height="{h_px + pad_t + 16:.0f}" '
                   f'font-size="9" font-family="sans-serif"><g class="array" '
                   f'data-array="{a}"><rect x="{pad_l}" y="{pad_t}" width="{w_px:.1f}" '
                   f'height="{h_px:.1f}" fill="#f4f4f4" stroke="#555"/>'
                   f'<text x="{pad_l}" y="{pad_t - 3}">col 0</text>'
                   f'<text x="{pad_l + w_px:.1f}" y="{pad_t - 3}" text-anchor="end">'
                   f'{C}</text><text x="{pad_l - 3}" y="{pad_t + 8}" text-anchor="end">'
                   f'row 0</text><text x="{pad_l - 3}" y="{pad_t + h_px:.1f}" '
                   f'text-anchor="end">{R}</text>')
        for i in np.flatnonzero(p.array == a):
            layer = int(b.layer[i])
            model = int(mapping.layer_model[layer])
            out.append(f'<rect class="block" x="{pad_l + p.x[i] * scale:.2f}" '
                       f'y="{pad_t + p.y[i] * scale:.2f}" width="{b.width[i] * scale:.2f}" '
                       f'height="{b.height[i] * scale:.2f}" '
                       f'fill="{block_colour(model, layer, n_models)}" stroke="#222" '
                       f'stroke-width="0.4"><title>{html.escape(block_title(mapping, i))}'
                       f'</title></rect>')
        where = "" if mapping.slots is None else \
            f" (macro {mapping.slots.macro[a]}, slot {mapping.slots.slot[a]})"
        out.append(f'</g></svg><figcaption>array {a}{where}: '
                   f'{int(np.count_nonzero(p.array == a))} blocks, '
                   f'{100 * fill[a] / (R * C):.0f}% of the cells</figcaption></figure>')
    out.append("</div>")
    return "".join(out)


def _schedule(mapping) -> str:
    steps = getattr(mapping.report, "timeline", None)
    if not steps:
        return ""
    t = mapping.report.totals
    return (f"<h2>Schedule</h2><p>{html.escape(mapping.capacity_line() or '')}</p>"
            f"<p>{len(steps)} steps; weights from {html.escape(str(t['weight_source']))}; "
            f"{t['weight_bytes_fetched_per_inference']:,.0f} bytes fetched per inference."
            f'</p><div class="scroll">{timeline_svg(steps, t["batch_time_ns"])}</div>')


LAYER_KEYS = ["model", "name", "kind", "engine", "digital_reason", "weight_bits", "act_bits",
              "vectors", "macs", "blocks", "arrays_touched", "time_ns", "e_dac_pj",
              "e_adc_pj", "e_array_pj", "e_digital_pj", "e_act_pj", "e_write_pj",
              "e_fetch_pj"]
MODEL_KEYS = ["name", "layers", "blocks", "arrays_touched", "arrays_one_to_one", "macs",
              "latency_us", "energy_uj", "tops_per_w"]
SUMMARY_KEYS = ("arrays_used", "utilization", "latency_us", "energy_uj", "tops_per_w",
                "bank_arrays", "phases", "cells_written_per_inference")


def report_html(mapping, summary=None) -> str:
    """The page (see the module doc). ``summary``: ``mapping.summary`` when the caller
    already has it."""
    s = summary or mapping.summary
    base = mapping.report.baseline or {}
    rows = [{"metric": k, "packed": s[k],
             "one-to-one": base.get({"arrays_one_to_one": "arrays_used"}.get(k, k), "")}
            for k in SUMMARY_KEYS]
    a = mapping.arch.aimc
    lead = (f"{len(mapping.workloads)} models, {len(mapping.blocks)} blocks on "
            f"{s['arrays_used']} arrays of {a.array_rows} rows x {a.array_cols} columns; "
            + (f"the bank has {s['bank_arrays']} arrays (" if a.depth == 1 else
               f"the bank has {s['bank_arrays']} macros of {a.depth} slots ("
               f"{s['macros_used']} holding images; the slots of a macro compute one at a "
               f"time; ")
            + f"{a.cell_bits}-bit cells, "
            f"{a.weight_bits}-bit weights); utilization {100 * s['utilization']:.1f}%.")
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>marp mapping: {html.escape(mapping.arch.name)}</title>"
            f"<style>{STYLE}</style></head><body>"
            f"<h1>marp mapping on {html.escape(mapping.arch.name)}</h1>"
            f'<p class="lead">{html.escape(lead)}</p>'
            f'<div class="top"><div><h2>Summary</h2>'
            f"{table(rows, ['metric', 'packed', 'one-to-one'])}</div>"
            f"<div><h2>Energy per inference: {s['energy_uj']:.4g} uJ</h2>"
            f"{energy_bar(s['energy_pj'])}</div></div>"
            f"<h2>Models</h2>{table(s['models'], MODEL_KEYS)}"
            f"<h2>Legend</h2>{legend(mapping)}"
            f"{_schedule(mapping)}"
            f"<h2>Layers</h2><p>{html.escape(mapping.digital_line(s) or '')}</p>"
            f"{table(s['layers'], LAYER_KEYS, sortable=True)}"
            f"<h2>Arrays ({mapping.packing.arrays_used}; click one to enlarge)</h2>"
            f"{array_figures(mapping)}<script>{SCRIPT}</script></body></html>\n")

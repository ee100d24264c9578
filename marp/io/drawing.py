"""Pictures of a mapping: every array as SVG, the residency schedule as a timeline, and
the colours and hover titles the report shares with them (:mod:`marp.io.report`)."""
from __future__ import annotations

import colorsys
import html

import numpy as np

ARRAY_PX = 150          # the longer side of one drawn array, in pixels
PER_ROW = 8             # arrays per row of the drawing
GAP_PX = 14


def block_colour(model: int, layer: int, n_models: int) -> str:
    """A hue per model, a lightness step per layer, so neighbours stay distinguishable."""
    hue = (model / max(1, n_models)) % 1.0
    light = 0.45 + 0.25 * ((layer * 7) % 10) / 10
    r, g, b = colorsys.hls_to_rgb(hue, light, 0.65)
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def block_title(mapping, i: int) -> str:
    """The hover title of block ``i``: model, layer, tile and size."""
    b = mapping.blocks
    layer = int(b.layer[i])
    model = int(mapping.layer_model[layer])
    w = mapping.workloads[model]
    first = int(np.flatnonzero(mapping.layer_model == model)[0])
    return (f"{w.name} / layer {layer}: {w.layers.name[layer - first]} / tile "
            f"r{int(b.row_tile[i])} c{int(b.col_tile[i])} / "
            f"{int(b.height[i])} rows x {int(b.width[i])} cols")


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
            title = block_title(mapping, i)
            out.append(f'<rect class="block" x="{ox + p.x[i] * scale:.2f}" '
                       f'y="{oy + p.y[i] * scale:.2f}" width="{b.width[i] * scale:.2f}" '
                       f'height="{b.height[i] * scale:.2f}" '
                       f'fill="{block_colour(model, layer, len(names))}" stroke="#222" '
                       f'stroke-width="0.4"><title>{html.escape(title)}</title></rect>')
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


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

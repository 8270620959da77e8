"""Server-side charts as SVG: the same markup on the page and in the PDF, deterministic for the same data."""

from html import escape

LABEL = 14  # the band above each bar for its value (font-size 11)
FONT = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', sans-serif"


def bar_chart(labels: list[str], values: list[int], *, title: str = "", width: int = 520, height: int = 220,
              color: str = "#b0121b") -> str:
    # the tallest bar's value sits in a band of its own under the title (LABEL high), not over it
    top, bottom, left, right = 28 + LABEL, 36, 36, 8
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(values) if values and max(values) > 0 else 1
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = slot * 0.7
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
             f'font-family="{escape(FONT)}" font-size="11">']
    if title:
        parts.append(f'<text x="{width / 2:.1f}" y="16" text-anchor="middle" font-size="13">{escape(title)}</text>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" y2="{top + plot_h}" stroke="#333"/>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * v / peak
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}"/>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{y - 3:.1f}" text-anchor="middle">{v}</text>')
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{top + plot_h + 14:.1f}" text-anchor="middle" '
                     f'font-size="10">{escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)

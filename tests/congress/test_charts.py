"""congress/charts.py: the bars, their values and the title keep clear of each other."""

import re

from congress import charts


def _boxes(svg):
    title = re.search(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" font-size="13">', svg)
    rects = [(float(y), float(h)) for y, h in re.findall(r'<rect x="[\d.]+" y="([\d.]+)" width="[\d.]+" '
                                                          r'height="([\d.]+)"', svg)]
    values = [float(y) for y in re.findall(r'<text x="[\d.]+" y="([\d.]+)" text-anchor="middle">\d+</text>', svg)]
    return float(title.group(1)), rects, values


def test_the_tallest_bars_value_stays_under_the_title():
    svg = charts.bar_chart(["甲", "乙"], [6, 3], title="Projects voted, per district")
    title_baseline, rects, values = _boxes(svg)
    assert len(rects) == len(values) == 2
    # a value's text (font-size 11) reaches about 11 px above its baseline; the title's baseline must be above that
    assert all(v - 11 >= title_baseline + 2 for v in values), (title_baseline, values)
    assert rects[0][1] == 2 * rects[1][1]  # bars stay in proportion


def test_no_bars_no_division_by_zero():
    svg = charts.bar_chart(["甲"], [0], title="t")
    assert 'height="0.0"' in svg

"""WCAG 2.1 AA colour contrast (4.5:1 for text) of the colours the base templates put text in."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSS = (ROOT / "static" / "css" / "site.css").read_text()


def luminance(rgb):
    def channel(c):
        c = c / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_rgb(h):
    h = h.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return tuple(int(h[i:i + 2], 16) for i in (0, 2, 4))


def over(rgba, background):
    *rgb, alpha = rgba
    return tuple(round(c * alpha + b * (1 - alpha)) for c, b in zip(rgb, background, strict=True))


def css_colour(value, background):
    value = value.strip()
    if value.startswith("#"):
        return hex_rgb(value)
    m = re.match(r"rgba\((\d+),\s*(\d+),\s*(\d+),\s*([\d.]+)\)", value)
    return over((int(m[1]), int(m[2]), int(m[3]), float(m[4])), background)


def test_staff_navbar_links_reach_aa_contrast():
    red = hex_rgb(re.search(r"--congress-red:\s*(#[0-9a-fA-F]{6})", CSS)[1])
    rule = re.search(r"\.navbar\.bg-congress\s*\{([^}]*)\}", CSS)[1]
    for var in ("--bs-navbar-color", "--bs-navbar-hover-color", "--bs-navbar-active-color"):
        value = re.search(rf"{var}:\s*([^;]+);", rule)[1]
        assert contrast(css_colour(value, red), red) >= 4.5, var
    # Bootstrap's own navbar-dark link colour, which the rule overrides, fails: the reason for the rule
    assert contrast(over((255, 255, 255, 0.55), red), red) < 4.5


def test_buttons_in_the_congress_red_reach_aa_contrast():
    red = hex_rgb(re.search(r"--congress-red:\s*(#[0-9a-fA-F]{6})", CSS)[1])
    hover = hex_rgb(re.search(r"\.btn-congress:hover\s*\{\s*background-color:\s*(#[0-9a-fA-F]{6})", CSS)[1])
    white = (255, 255, 255)
    assert contrast(white, red) >= 4.5 and contrast(white, hover) >= 4.5


def test_project_colour_badges_reach_aa_contrast_and_match_the_swatches():
    from projects.colours import SWATCHES

    for colour, (background, text) in SWATCHES.items():
        assert contrast(hex_rgb(background), hex_rgb(text)) >= 4.5, colour
        rule = re.search(rf"\.colour-{colour.value}\s*\{{([^}}]*)\}}", CSS)[1]
        assert background in rule and text in rule, colour

"""What a resident keeps after a public submission: the reference, a tracking link and its QR code.

Shared by residents' opinions and livelihood-project proposals (both lower apps call it; it calls nothing above)."""

from __future__ import annotations

import secrets

import segno
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L: read aloud over the phone


def new_reference(prefix: str) -> str:
    return prefix + "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(8))


def qr_svg(url: str) -> SafeString:
    """The link as an inline SVG QR code (no image request, nothing for the CSP to forbid)."""
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, title=_("QR code of the tracking link"))
    return mark_safe(svg)  # noqa: S308  # nosec B308 B703  # segno writes and escapes the markup; the URL is ours


def thanks_context(*, reference: str, track_url: str) -> dict:
    return {"reference": reference, "track_url": track_url, "qr": qr_svg(track_url)}

"""`{% site_menu %}` and `{% site_language_buttons %}`: the main menu's links and the language switcher's buttons,
rendered once per language (and kind of account) by each process.

They depend on nothing else (the URL patterns and the catalogues are fixed while the process runs), and rendering
them (a dozen URL reversals, translations and language lookups) was a third of every page's template time.
"""

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

register = template.Library()
_rendered: dict[tuple, str] = {}


def _once(template_name: str, **flags) -> str:
    key = (template_name, get_language(), *sorted(flags.items()))
    html = _rendered.get(key)
    if html is None:
        html = _rendered[key] = render_to_string(template_name, flags)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703  # our own template's output, rendered with autoescape


@register.simple_tag(takes_context=True)
def site_menu(context):
    staff, deputy = bool(context.get("is_staff_member")), bool(context.get("is_deputy"))
    unit = False
    if not staff:  # asked only where the menu shows it (the flag is lazy; deputies/predicates.py keeps it cached)
        unit = context.get("is_unit_account")
        unit = bool(unit() if callable(unit) else unit)
    return _once("includes/menu.html", is_staff_member=staff, is_deputy=deputy, is_unit_account=unit)


@register.simple_tag
def site_language_buttons():
    return _once("includes/language_buttons.html")

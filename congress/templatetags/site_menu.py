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
    flags = {name: context.get(name) for name in ("is_staff_member", "is_deputy", "is_unit_account")}
    # a flag may be lazy (a callable, asked only when a page needs it, as the template language does)
    return _once("includes/menu.html", **{name: bool(v() if callable(v) else v) for name, v in flags.items()})


@register.simple_tag
def site_language_buttons():
    return _once("includes/language_buttons.html")

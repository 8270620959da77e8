from django import template
from django.utils.html import format_html

from congress import castpass

register = template.Library()


@register.simple_tag(takes_context=True)
def cast_pass(context, poll_id):
    """The vote form's hidden cast pass (congress/castpass.py) for this poll: the cast then loads no session. The
    receipt page's menu flags come from the site's context processors, as on this page."""
    unit = context.get("is_unit_account")
    value = castpass.issue(context["request"], poll_id, staff=bool(context.get("is_staff_member")),
                           deputy=bool(context.get("is_deputy")), unit=bool(unit() if callable(unit) else unit))
    if not value:
        return ""
    return format_html('<input type="hidden" name="{}" value="{}">', castpass.FIELD, value)

"""`{% load workflow %}`: templates ask the workflow which moves are open, instead of comparing state strings.

    {% if poll|can:"close" %}…{% endif %}          a target state or one of the model's named actions
    {% for s in opinion|allowed %}…{% endfor %}    the states reachable now (for "move to" buttons)
"""

from django import template

from congress import workflows

register = template.Library()


@register.filter
def can(obj, action: str) -> bool:
    return obj is not None and workflows.can(obj, action)


@register.filter
def allowed(obj) -> tuple:
    return workflows.allowed(obj) if obj is not None else ()

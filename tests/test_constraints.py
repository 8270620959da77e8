"""A refused write says what is wrong in the user's language, never a raw constraint name."""

from django.apps import apps
from django.db.models import BaseConstraint
from django.utils.translation import override

from congress.layers import LAYERS

OURS = LAYERS


def _constraints():
    for model in apps.get_models():
        if model._meta.app_label in OURS:
            for constraint in model._meta.constraints:
                yield model, constraint


def test_every_constraint_has_its_own_message_in_both_languages():
    missing = []
    for model, constraint in _constraints():
        own = constraint.violation_error_message
        if own is None or own == BaseConstraint.default_violation_error_message:
            missing.append(f"{model._meta.label}.{constraint.name}")
            continue
        with override("zh-hans"):
            zh = str(own)
        with override("en"):
            en = str(own)
        assert constraint.name not in zh and zh != en, (model, constraint.name, zh)
    assert not missing, missing

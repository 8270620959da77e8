from deputies.predicates import shows_unit_queue


def units(request):
    """Whether the account signs in for a handling unit; a callable, so pages that never ask look nothing up."""
    voter = getattr(request, "cast_pass", None)
    if voter is not None:  # a cast with a pass (congress/castpass.py) carries the flag
        return {"is_unit_account": voter.unit}
    user = getattr(request, "user", None)
    return {"is_unit_account": lambda: bool(user and shows_unit_queue(user))}

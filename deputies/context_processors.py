from deputies.predicates import is_unit_account


def units(request):
    """Whether the account signs in for a handling unit; a callable, so pages that never ask run no query."""
    user = getattr(request, "user", None)
    return {"is_unit_account": lambda: bool(user and is_unit_account(user))}

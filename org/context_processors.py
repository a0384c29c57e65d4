from core.standards import STANDARDS

from .access import Right, has_right, role_of


def shell(request):
    """What the page shell needs: the six standards for the navigation and the person's rights."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"STANDARDS": STANDARDS, "NAV": []}
    role = role_of(user)
    return {
        "STANDARDS": STANDARDS,
        # each standard with the built sections the person's role may open
        "NAV": [(standard, standard.sections_for(role)) for standard in STANDARDS],
        "can_import": has_right(user, Right.IMPORT),
        "can_manage_store": has_right(user, Right.MANAGE_STORE),
        "can_manage_staff": has_right(user, Right.MANAGE_STAFF),
        "can_edit": has_right(user, Right.EDIT),
    }

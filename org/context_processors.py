from core.standards import STANDARDS

from .access import Right, has_right


def shell(request):
    """What the page shell needs: the six standards for the navigation and the person's rights."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"STANDARDS": STANDARDS}
    return {
        "STANDARDS": STANDARDS,
        "can_import": has_right(user, Right.IMPORT),
        "can_manage_store": has_right(user, Right.MANAGE_STORE),
        "can_manage_staff": has_right(user, Right.MANAGE_STAFF),
        "can_edit": has_right(user, Right.EDIT),
    }

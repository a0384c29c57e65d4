"""API: who is calling (GET /me) and the stores behind their wall (GET /stores)."""

from ninja import Router, Schema

from .access import ROLE_RIGHTS, Right, require, role_of, store_ids
from .choices import Role
from .models import Store

router = Router(tags=["me"])


class StoreOut(Schema):
    id: int
    code: str
    name: str
    brand: str
    city: str
    active: bool


class TokenOut(Schema):
    key_prefix: str
    name: str


class MeOut(Schema):
    id: int
    username: str
    name: str
    role: str | None
    role_label: str
    language: str
    rights: list[str]
    stores: list[StoreOut]
    token: TokenOut | None = None


def _stores(user):
    return Store.objects.filter(id__in=store_ids(user)).order_by("code")


@router.get("/me", response=MeOut, summary="Who is calling", url_name="me")
def me(request):
    """The person the token (or the signed-in session) acts as: their role, rights and stores.

    `token` names the API token used (its prefix and name), or is null for a browser session.
    """
    user = request.user
    role = role_of(user)
    token = getattr(request, "api_token", None)
    return {
        "id": user.pk,
        "username": user.username,
        "name": user.name,
        "role": role,
        "role_label": str(Role(role).label) if role else "",
        "language": user.language,
        "rights": sorted(str(right) for right in ROLE_RIGHTS.get(role, ())) if role else [],
        "stores": list(_stores(user)),
        "token": {"key_prefix": token.key_prefix, "name": token.name} if token else None,
    }


@router.get("/stores", response=list[StoreOut], summary="My stores", url_name="store_list")
def store_list(request):
    """The stores whose records the caller may see, by code. Use a store's `code` (or `id`) where an
    endpoint asks for a store."""
    require(request.user, Right.VIEW)
    return list(_stores(request.user))

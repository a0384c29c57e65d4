"""Calling the JSON API in tests as a given person, with an API token made for them."""

from core.api_auth import api_token_create

API = "/api/v1"


def api_caller(client):
    """call(user, method, path, body=None, **params): a request to /api/v1<path> with the user's token.

    One token per user, made on first use; a GET sends params as the query string, any other method sends
    the body (an empty object when none) as JSON.
    """
    tokens = {}

    def _call(user, method, path, body=None, **params):
        if user.pk not in tokens:
            tokens[user.pk] = api_token_create(user=user)[1]
        headers = {"Authorization": f"Bearer {tokens[user.pk]}"}
        if method == "get":
            return client.get(API + path, params, headers=headers)
        return getattr(client, method)(
            API + path, body if body is not None else {}, content_type="application/json", headers=headers
        )

    return _call

from django.utils import translation


class UserLanguageMiddleware:
    """A signed-in person's own language choice wins over the browser's (English or Chinese)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        return response


class ContentSecurityPolicyMiddleware:
    """Send the Content-Security-Policy of settings.CONTENT_SECURITY_POLICY with every answer.

    Django 5.2 has none built in; this is the whole of it. Scripts come only from our own static files:
    no inline <script>, no onclick=, no hx-on and no htmx trigger filters (htmx runs those with eval).
    A view may set its own header, which is left alone.
    """

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.policy = getattr(settings, "CONTENT_SECURITY_POLICY", "")

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response

"""Signing in (username or employee number, throttled after repeated failures) and signing out."""

from django import forms
from django.contrib.auth import logout
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from ..auth import client_ip, signin_attempt_record, signin_locked_for


class SignInForm(AuthenticationForm):
    """Username or employee number and password; repeated failures lock the name for a while."""

    username = forms.CharField(
        label=gettext_lazy("Username or employee number"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )

    def clean(self):
        login = (self.data.get("username") or "").strip()
        ip = client_ip(self.request) if self.request else None
        wait = signin_locked_for(login, ip) if login else 0
        if wait:
            minutes = max(1, (wait + 59) // 60)
            raise forms.ValidationError(
                _("Too many failed sign-ins. Try again in %(minutes)d minutes.") % {"minutes": minutes},
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            signin_attempt_record(login=login, ip=ip, succeeded=False)
            raise
        signin_attempt_record(login=login, ip=ip, succeeded=True)
        return cleaned

    def get_invalid_login_error(self):
        return forms.ValidationError(
            _("The username or employee number and the password do not match. Both are case-sensitive."),
            code="invalid_login",
        )


class SignInView(LoginView):
    template_name = "org/signin.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.language)
        return response


@require_POST
def sign_out(request):
    logout(request)
    return redirect("login")

"""allauth's sign-in and password-reset pages, answering like the sign-in limits want.

A limited sign-in attempt shows the form with its message and answers 429 with
Retry-After; finishing a password reset (which proves the mailbox) makes the browser a
known device of the account, so its owner can sign in there while strangers are guessing.
"""

from allauth.account.views import LoginView as AllauthLoginView
from allauth.account.views import PasswordResetFromKeyView as AllauthPasswordResetFromKeyView

from weconomics.identity import throttling


class LoginView(AllauthLoginView):
    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and (refused := throttling.before_sign_in_post(request)):
            return refused
        return super().dispatch(request, *args, **kwargs)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        retry_after = getattr(self.request, "signin_retry_after", None)
        if retry_after:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response


class PasswordResetFromKeyView(AllauthPasswordResetFromKeyView):
    def form_valid(self, form):
        response = super().form_valid(form)
        throttling.remember_device(self.request, response, self.reset_user)
        return response


login = LoginView.as_view()
password_reset_from_key = PasswordResetFromKeyView.as_view()

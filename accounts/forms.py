from allauth.account.adapter import get_adapter
from django.contrib.admin.forms import AdminAuthenticationForm


class AdminLoginForm(AdminAuthenticationForm):
    """The admin's sign-in, counted against the site's login limit (ACCOUNT_RATE_LIMITS "login_failed").

    allauth's adapter consumes the same per-address and per-login counters as the site's
    sign-in page, so guessing passwords at /admin/login/ is held as it is at /accounts/login/.
    """

    def clean(self) -> dict:
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            # Raises a ValidationError ("too many failed login attempts") once the limit is reached,
            # before the password is even checked.
            self.user_cache = get_adapter(self.request).authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data

import math
from typing import TYPE_CHECKING

from allauth.account import forms as allauth_forms
from allauth.account.adapter import get_adapter
from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.utils.translation import gettext_lazy as _

from core.throttle import window_hit

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


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


# --- Personal-data requests --------------------------------------------------------------------


# Password tries on the delete-account page per account, so a stolen session cannot guess its way in.
DELETE_TRIES = 5
DELETE_TRIES_WINDOW_SECONDS = 15 * 60


class AddressForm(forms.Form):
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("Everything held under this address, and under the account that owns it, if there is one."),
    )


class ErasureConfirmForm(AddressForm):
    email = forms.EmailField(widget=forms.HiddenInput)
    confirm = forms.BooleanField(
        label=_("I have checked that the request comes from the person, and I want to erase their data"),
        error_messages={"required": _("Tick the box to confirm the erasure")},
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        error_messages={"required": _("Enter your password")},
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account and my data will be deleted and cannot be recovered"),
        error_messages={"required": _("Tick the box to confirm that you want to delete your account")},
    )

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        tries = window_hit(f"account-delete:{self.user.pk}", limit=DELETE_TRIES, window=DELETE_TRIES_WINDOW_SECONDS)
        if not tries.allowed:
            minutes = math.ceil(tries.retry_after / 60)
            raise forms.ValidationError(
                _("Too many tries. Try again in %(minutes)d minutes."), params={"minutes": minutes}
            )
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right"))
        return password

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers announce the message beside each field with an error.
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(anchor, message) pairs for the GOV.UK error summary at the top of the page."""
        # An ErrorList yields each error's message (the stubs say ValidationError too); str() leaves it as rendered.
        return [(self[name].auto_id, str(error)) for name, errors in self.errors.items() for error in errors]


# --- Sign-in, sign-up and passwords (django-allauth's forms, ACCOUNT_FORMS) -----------------------------


class SaysWhatIsMissing(forms.Form):
    """allauth's forms with a message per empty box ("Enter your password") instead of "This field is
    required.", as the questionnaire and GOV.UK's pattern have; the error summary lists them."""

    missing: "dict[str, StrOrPromise]" = {}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name, message in self.missing.items():
            if name in self.fields:
                self.fields[name].error_messages["required"] = message


class SignInForm(SaysWhatIsMissing, allauth_forms.LoginForm):
    missing: "dict[str, StrOrPromise]" = {"login": _("Enter your email address"), "password": _("Enter your password")}


class SignUpForm(SaysWhatIsMissing, allauth_forms.SignupForm):
    missing: "dict[str, StrOrPromise]" = {
        "email": _("Enter your email address"),
        "password1": _("Enter a password"),
        "password2": _("Enter the password again"),
    }


class PasswordResetForm(SaysWhatIsMissing, allauth_forms.ResetPasswordForm):
    missing: "dict[str, StrOrPromise]" = {"email": _("Enter the email address of your account")}


class PasswordResetKeyForm(SaysWhatIsMissing, allauth_forms.ResetPasswordKeyForm):
    missing: "dict[str, StrOrPromise]" = {
        "password1": _("Enter a new password"),
        "password2": _("Enter the new password again"),
    }


class PasswordChangeForm(SaysWhatIsMissing, allauth_forms.ChangePasswordForm):
    missing: "dict[str, StrOrPromise]" = {
        "oldpassword": _("Enter your current password"),
        "password1": _("Enter a new password"),
        "password2": _("Enter the new password again"),
    }


class PasswordSetForm(SaysWhatIsMissing, allauth_forms.SetPasswordForm):
    missing: "dict[str, StrOrPromise]" = {
        "password1": _("Enter a password"),
        "password2": _("Enter the password again"),
    }


class AddEmailForm(SaysWhatIsMissing, allauth_forms.AddEmailForm):
    missing: "dict[str, StrOrPromise]" = {"email": _("Enter the email address to add")}

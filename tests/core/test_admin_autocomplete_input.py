"""Admin forms with autocomplete fields answer a word or a NUL where an id belongs with a form error."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from core.admin_widgets import SafeAutocompleteMixin

pytestmark = pytest.mark.django_db

HOSTILE = ["<script>x()</script>", "a\x00b", "-1", "99999999999999999999999"]


def admins_with_autocomplete():
    for model, model_admin in admin.site._registry.items():
        inlines = [inline(model, admin.site) for inline in model_admin.inlines]
        for each in [model_admin, *inlines]:
            if each.autocomplete_fields:
                yield model, each


def test_every_admin_and_inline_with_autocomplete_fields_uses_the_safe_widgets() -> None:
    unsafe = [
        type(each).__name__
        for _model, each in admins_with_autocomplete()
        if not isinstance(each, SafeAutocompleteMixin)
    ]
    assert unsafe == []


@pytest.mark.parametrize(
    "model", sorted({model for model, each in admins_with_autocomplete() if each.has_add_permission}, key=str)
)
@pytest.mark.parametrize("value", HOSTILE)
def test_an_add_form_given_no_id_in_an_autocomplete_field_says_so(model, value, superuser) -> None:
    model_admin = admin.site._registry[model]
    client = Client()
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    data = {name: value for name in model_admin.autocomplete_fields}

    response = client.post(url, data)

    assert response.status_code in (200, 403), response.status_code

"""Admin bases every app's admin shares; nothing is registered here."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django import forms
from django.contrib import admin
from django.contrib.auth.models import User
from django.db import models
from django.http import HttpRequest

from core.admin_widgets import LabelledSplitDateTime, SafeAutocompleteMixin
from core.models import Stamped

if TYPE_CHECKING:
    # Generic only under the stubs; at run time Django's classes take no type parameters.
    _StampedModelAdmin = admin.ModelAdmin[Any]
else:
    _StampedModelAdmin = admin.ModelAdmin


class StampedAdmin(SafeAutocompleteMixin, _StampedModelAdmin):
    """Records the acting user on every row an editor saves; its date and time boxes are labelled."""

    formfield_overrides: ClassVar[dict[type[models.Field[Any, Any]], dict[str, Any]]] = {
        models.DateTimeField: {"widget": LabelledSplitDateTime},
    }
    readonly_fields: ClassVar[tuple[str, ...]] = ("created_at", "created_by", "updated_at", "updated_by")

    def save_model(self, request: HttpRequest, obj: Stamped, form: forms.ModelForm[Any], change: bool) -> None:
        user = request.user
        assert isinstance(user, User)  # the admin serves signed-in staff only
        if not change:
            obj.created_by = user
        obj.updated_by = user
        super().save_model(request, obj, form, change)

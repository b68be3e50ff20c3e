"""Sign-up and profile forms."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm

if TYPE_CHECKING:
    pass


class SignupForm(UserCreationForm):
    """Username, email, password twice. Django's password validators apply."""

    email = forms.EmailField(
        help_text="For resetting your password. We send nothing else.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")


class EmailForm(forms.ModelForm):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))

    class Meta:
        model = get_user_model()
        fields = ("email",)

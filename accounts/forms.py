from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.utils.translation import gettext_lazy as _

from .models import User


class SignUpForm(UserCreationForm):
    """Username, e-mail address and password. The address gets a confirmation
    link; until it is confirmed, the site sends it nothing else."""

    class Meta:
        model = User
        fields = ("username", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True
        self.fields["email"].help_text = _(
            "We mail a link to confirm it. Replies and moderation news go only "
            "to a confirmed address."
        )

    def clean_username(self):
        # The model's own check (User.clean) refuses a name that differs from
        # an existing one only in case, width or look-alike letters.
        return self.cleaned_data.get("username")


class AccountForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ("display_name", "email", "userpic")

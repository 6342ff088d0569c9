from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from journal import pagecache

from .forms import AdminLoginForm
from .models import User

# The admin's login counts and slows wrong passwords like the site's.
admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "userpic")}),
    )
    list_display = ("username", "display_name", "email", "is_staff", "date_joined")
    search_fields = ("username", "display_name", "email")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A name or userpic shows on every page, as from the account page.
        if change and {"display_name", "userpic", "username"} & set(form.changed_data):
            pagecache.touch_everything()

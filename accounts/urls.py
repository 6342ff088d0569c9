from django.contrib.auth import views as auth_views
from django.urls import path

from . import views
from .forms import LoginForm

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("me/", views.account, name="account"),
    path("me/confirm-email/", views.resend_confirmation, name="resend_confirmation"),
    path("confirm/<str:token>/", views.confirm_email, name="confirm_email"),
    path("me/tokens/", views.create_api_token, name="create_token"),
    path(
        "me/tokens/<int:token_id>/revoke/", views.revoke_api_token, name="revoke_token"
    ),
]

# Django's own login/logout views, under names templates can use without a namespace.
auth_patterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=LoginForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
]

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .forms import AccountForm, SignUpForm
from .models import ApiToken
from .tokens import create_token, revoke_token


def _safe_next(request) -> str | None:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or "journal:home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s! You can comment now.") % {"name": user.username},
        )
        return redirect(_safe_next(request) or "journal:home")
    return render(
        request, "accounts/signup.html", {"form": form, "next": _safe_next(request)}
    )


@login_required
@require_POST
def create_api_token(request):
    token, key = create_token(user=request.user, name=request.POST.get("name", ""))
    # Shown once, on the next page load, then gone from the session.
    request.session["new_api_token"] = {"id": token.pk, "key": key}
    return redirect("accounts:account")


@login_required
@require_POST
def revoke_api_token(request, token_id: int):
    token = get_object_or_404(ApiToken, pk=token_id, user=request.user)
    revoke_token(token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("accounts:account")


@login_required
@require_http_methods(["GET", "POST"])
def account(request):
    form = AccountForm(
        request.POST or None, request.FILES or None, instance=request.user
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your account was updated."))
        return redirect("accounts:account")
    from journal.models import Journal

    moderated = Journal.objects.moderated_by(request.user).order_by("name")
    context = {
        "form": form,
        "moderated": moderated,
        "tokens": request.user.api_tokens.all(),
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "accounts/account.html", context)

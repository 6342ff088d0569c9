from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from journal import pagecache
from journal.client_ip import client_ip
from journal.models import Journal
from journal.params import local_path
from journal.validators import validate_name

from . import confirmation, throttles
from .forms import AccountForm, SignUpForm
from .models import ApiToken
from .tokens import create_token, revoke_token


def _safe_next(request) -> str | None:
    return local_path(request, request.POST.get("next") or request.GET.get("next"))


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or "journal:home")
    form = SignUpForm(request.POST or None)
    address = client_ip(request)
    status = 200
    if request.method == "POST" and not throttles.may_sign_up(address):
        form.add_error(
            None,
            _(
                "Too many accounts were made from your network in the last hour; "
                "try again later."
            ),
        )
        status = 429
    elif request.method == "POST" and form.is_valid():
        user = form.save()
        throttles.record_sign_up(address)
        login(request, user, backend="accounts.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome, %(name)s! You can comment now.") % {"name": user.username},
        )
        _announce_link(request, user, confirmation.send_link(user))
        return redirect(_safe_next(request) or "journal:home")
    return render(
        request,
        "accounts/signup.html",
        {"form": form, "next": _safe_next(request)},
        status=status,
    )


def _announce_link(request, user, sent: bool) -> None:
    if sent:
        messages.info(
            request,
            _(
                "We sent a link to %(email)s: open it to confirm the address. Until "
                "then, no mail goes there."
            )
            % {"email": user.email},
        )
    elif user.email and not user.mail_address:
        messages.warning(
            request,
            _(
                "A confirmation link went to this address a few minutes ago; ask "
                "for another one later from your account page."
            ),
        )


@login_required
@require_POST
def resend_confirmation(request):
    _announce_link(request, request.user, confirmation.send_link(request.user))
    return redirect("accounts:account")


@require_http_methods(["GET", "HEAD", "POST"])
def confirm_email(request, token: str):
    found = confirmation.pending(token)
    if request.method == "POST" and found is not None:
        user = confirmation.confirm(token)
        if user is not None:
            messages.success(
                request, _("Thank you: %(email)s is confirmed.") % {"email": user.email}
            )
            return redirect("journal:home")
    account, email = found if found is not None else (None, "")
    context = {"account": account, "email": email}
    return render(
        request,
        "accounts/confirm_email.html",
        context,
        status=200 if found is not None else 400,
    )


@login_required
@require_POST
def create_api_token(request):
    name = request.POST.get("name", "")
    try:
        validate_name(name)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:account")
    token, key = create_token(user=request.user, name=name)
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
@require_http_methods(["GET", "HEAD", "POST"])
def account(request):
    form = AccountForm(
        request.POST or None, request.FILES or None, instance=request.user
    )
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if {"display_name", "userpic"} & set(form.changed_data):
            # Shown beside every comment they wrote, on any cached page.
            pagecache.touch_everything()
        messages.success(request, _("Your account was updated."))
        if "email" in form.changed_data and user.email:
            _announce_link(request, user, confirmation.send_link(user))
        return redirect("accounts:account")
    moderated = Journal.objects.moderated_by(request.user).order_by("name")
    context = {
        "form": form,
        "moderated": moderated,
        "tokens": request.user.api_tokens.all(),
        "new_token": request.session.pop("new_api_token", None),
    }
    return render(request, "accounts/account.html", context)

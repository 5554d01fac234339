from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required, login_user, logout_user

from ..boundary import perform
from ..extensions import csrf, db, limiter
from ..forms import ConfirmForm
from ..i18n import SESSION_KEY, current_locale
from ..security import safe_next
from ..services import accounts, email_choices, tokens
from . import bp
from .forms import (
    AccountForm,
    ChangePasswordForm,
    EmailChoicesForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    NextForm,
    RegisterForm,
    ResetPasswordForm,
)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("enrolment.my_programmes"))
    form = RegisterForm()
    if form.validate_on_submit() and perform(
            lambda: accounts.register(form.name.data, form.email.data, form.password.data,
                                      locale=current_locale()), form=form):
        # The same words and page whether the address was new or already had an account (its
        # owner got an email instead): no one learns from here who has an account. So the new
        # account is not signed in yet either: she signs in after opening the link.
        flash(_("Check your inbox: we have sent an email to %(email)s. Open the link in it "
                "to continue.", email=accounts.normalise_email(form.email.data)), "success")
        return redirect(url_for("auth.login", next=request.args.get("next") or None))
    return render_template("auth/register.html", form=form)


@bp.route("/verify/<token>")
def verify_email(token: str):
    try:
        accounts.verify_email(token)
    except tokens.TokenError as error:
        flash(_("This confirmation link has expired. Sign in and ask for a new one.")
              if error.reason == "expired" else _("This confirmation link is not valid."), "error")
        return redirect(url_for("programmes.index"))
    db.session.commit()
    flash(_("Thank you: your email address is confirmed."), "success")
    return redirect(url_for("enrolment.my_programmes") if current_user.is_authenticated
                    else url_for("auth.login"))


@bp.route("/verify/resend", methods=["POST"])
@login_required
@limiter.limit("5 per hour")
def resend_verification():
    form = NextForm()
    done = form.validate_on_submit() and perform(
        lambda: accounts.send_confirmation_links(current_user))
    if done and done.value:
        flash(_("We have sent a new link to %(email)s.",
                email=current_user.pending_email or current_user.email), "success")
    return redirect(safe_next(form.next.data, "enrolment.my_programmes"))


@bp.route("/account/email/<token>")
def confirm_new_email(token: str):
    try:
        done = perform(lambda: accounts.confirm_new_email(token))
    except tokens.TokenError as error:
        flash(_("This confirmation link has expired. Sign in and ask for a new one.")
              if error.reason == "expired" else _("This confirmation link is not valid."), "error")
        return redirect(url_for("programmes.index"))
    if done:
        flash(_("Thank you: your new email address is confirmed. Sign in with it from now on."),
              "success")
    return redirect(url_for("auth.account") if current_user.is_authenticated
                    else url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.email.data, form.password.data,
                                         client=request.remote_addr or "")
        except accounts.SignInRefused as error:
            db.session.commit()  # keep the failure count (and send a lock notice)
            flash(error.message, "error")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            return redirect(safe_next(form.next.data))
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if ConfirmForm().validate_on_submit():
        if current_user.is_authenticated:
            # A copy of this browser's cookies must not outlive the sign-out.
            perform(lambda: accounts.sign_out(current_user))
        logout_user()
        flash(_("You are signed out."), "info")
    return redirect(url_for("programmes.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        accounts.request_password_reset(form.email.data)
        db.session.commit()
        flash(_("If an account uses this address, we have sent it a link to choose a new "
                "password. The link works once, for one hour."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot.html", form=form)


def _token_page(token: str, purpose: str, template: str):
    max_age = current_app.config[
        "INVITATION_MAX_AGE" if purpose == tokens.INVITATION else "PASSWORD_RESET_MAX_AGE"
    ]
    try:
        user = tokens.read_token(token, purpose, max_age)
    except tokens.TokenError as error:
        messages = {
            "expired": _("This link has expired. Ask for a new one below."),
            "used": _("This link has already been used. Ask for a new one below."),
        }
        flash(messages.get(error.reason, _("This link is not valid. Ask for a new one below.")),
              "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    form._email = user.email
    if form.validate_on_submit() and perform(
            lambda: accounts.reset_password(token, form.password.data, purpose=purpose),
            form=form):
        login_user(user)
        flash(_("Your password is set."), "success")
        return redirect(url_for("enrolment.my_programmes"))
    return render_template(template, form=form, user=user)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    return _token_page(token, tokens.RESET_PASSWORD, "auth/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    return _token_page(token, tokens.INVITATION, "auth/invitation.html")


def _per_person() -> str:
    """The rate limit's key for pages that check the current password: the person, so that
    guesses from many addresses add up (and people behind one address do not)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def _password_check_limit() -> str:
    return current_app.config["PASSWORD_CHECK_RATE_LIMIT"]


def _stay_signed_in() -> None:
    """Sign this browser in again after its person's sessions ended (new password, "sign out
    everywhere"), keeping its remember-me cookie if it had one."""
    cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    login_user(current_user._get_current_object(), remember=cookie in request.cookies)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@limiter.limit(_password_check_limit, key_func=_per_person, methods=["POST"])
def account():
    form = AccountForm(obj=current_user)
    done = form.validate_on_submit() and perform(
        lambda: accounts.update_account(current_user, name=form.name.data,
                                        email=form.email.data, locale=form.locale.data,
                                        timezone=form.timezone.data,
                                        current_password=form.current_password.data or ""),
        form=form)
    if done:
        changed = done.value
        if not form.locale.data:  # "as my browser asks": forget the header's choice too
            session.pop(SESSION_KEY, None)
        flash(_("Your account is saved.") if not changed else
              _("Your account is saved. Open the link we sent to %(email)s to confirm it; "
                "until then you sign in with your current address.",
                email=current_user.pending_email), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/account.html", form=form,
                           emails_form=EmailChoicesForm(obj=current_user))


@bp.route("/account/emails", methods=["POST"])
@login_required
def email_choices_page():
    form = EmailChoicesForm()
    if form.validate_on_submit() and perform(lambda: email_choices.set_choices(
            current_user, reminder_emails=form.reminder_emails.data,
            digest_emails=form.digest_emails.data)):
        flash(_("Your email choices are saved."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt
@limiter.limit("30 per hour", methods=["POST"])
def unsubscribe(token: str):
    """The link in a reminder or digest. GET only asks (link checkers and previews open
    links); POST stops that kind of email. Without CSRF token: a mail client's one-click
    POST (RFC 8058) carries no cookie, and the signed token in the address, which only the
    recipient has, is the whole authority; the signed-in person, if any, plays no part."""
    user, choice = email_choices.read_unsubscribe_token(token)
    if request.method == "POST":
        perform(lambda: email_choices.stop(user, choice))
    return render_template("auth/unsubscribe.html", choice=choice,
                           done=request.method == "POST")


@bp.route("/account/sign-out-everywhere", methods=["POST"])
@login_required
def sign_out_everywhere():
    if ConfirmForm().validate_on_submit() and perform(
            lambda: accounts.sign_out_everywhere(current_user)):
        _stay_signed_in()
        flash(_("You are signed out everywhere else; this browser stays signed in."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(_password_check_limit, key_func=_per_person, methods=["POST"])
def change_password():
    form = ChangePasswordForm()
    form._email = current_user.email
    if form.validate_on_submit() and perform(
            lambda: accounts.change_password(current_user, form.current_password.data,
                                             form.password.data), form=form):
        # Every other session and remember-me cookie ended with the old password.
        _stay_signed_in()
        flash(_("Your password is changed. You are signed out everywhere else."), "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/password.html", form=form)


@bp.route("/language", methods=["POST"])
def set_language():
    """The header's language switcher: remember the choice, go back to the same page."""
    form = LanguageForm()
    if not form.validate_on_submit():
        abort(400)
    session[SESSION_KEY] = form.locale.data
    if current_user.is_authenticated:
        perform(lambda: accounts.set_locale(current_user, form.locale.data))
    return redirect(safe_next(form.next.data, "programmes.index"))

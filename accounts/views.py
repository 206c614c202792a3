"""Routes for signing in and out, password reset, the profile and account administration."""

from datetime import timedelta

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from accounts import bp
from accounts.current import current_actor
from accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LoginForm,
    ProfileForm,
    ResetPasswordForm,
    UserSearchForm,
)
from accounts.models import User
from accounts.permissions import can_administer_accounts
from accounts.services import (
    authenticate,
    change_password,
    find_reset_token,
    find_users,
    log_out,
    request_password_reset,
    send_password_reset,
    set_account_active,
    start_session,
    update_profile,
)
from accounts.services import (
    reset_password as reset_password_with_token,
)
from core.audit import record_event
from core.extensions import db
from core.forms import EmptyForm
from core.http import page_number, safe_next, site_home
from core.mail import after_response
from core.outcome import attempt

USERS_PER_PAGE = 25


def _sign_in(user: User, remember: bool) -> None:
    """Start a fresh server-side session for this browser (new session id at every login)."""
    session.clear()
    start_session(user, remember)
    login_user(
        user, remember=remember, duration=timedelta(days=current_app.config["REMEMBER_DAYS"])
    )


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(site_home())
    form = LoginForm()
    if form.validate_on_submit():
        result = authenticate(form.email.data, form.password.data, request.remote_addr)
        if result.throttled:
            db.session.commit()
            minutes = max(1, round(result.retry_after / 60))
            response = render_template(
                "errors/error.html",
                code=429,
                title="Too many sign-in attempts",
                message=(
                    "Sign-in is paused after several failed attempts, to protect the account. "
                    f"Try again in about {minutes} minute{'s' if minutes != 1 else ''}, "
                    "or reset your password."
                ),
                show_reset=True,
            )
            return response, 429, {"Retry-After": str(result.retry_after)}
        if result.user is not None:
            target = safe_next()
            _sign_in(result.user, form.remember.data)
            record_event("login", actor=result.user, obj=result.user)
            db.session.commit()
            flash(f"Welcome, {result.user.display_name}.", "success")
            return redirect(target)
        db.session.commit()
        # Same words whether or not the email has an account.
        form.password.errors.append("Email or password is incorrect.")
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout():
    user = current_actor()
    # Clear first: logout_user() marks the remember cookie for deletion in the session.
    session.clear()
    logout_user()
    log_out(user)
    db.session.commit()
    flash("You are signed out on every device.", "success")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        user_id = request_password_reset(form.email.data, request.remote_addr)
        db.session.commit()
        after_response(send_password_reset, user_id)
        flash(
            "If an account uses that email, a link to reset its password is on its way. "
            "It works once and expires in "
            f"{current_app.config['PASSWORD_RESET_HOURS']} hours.",
            "info",
        )
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    tok = find_reset_token(token)
    if tok is None:
        return render_template("accounts/reset_invalid.html"), 404
    form = ResetPasswordForm()
    form.policy_email = tok.user.email
    if form.validate_on_submit():
        user = reset_password_with_token(tok, form.new_password.data)
        db.session.commit()
        session.clear()
        logout_user()
        flash(f"Your password is changed. Sign in with it now, {user.display_name}.", "success")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/reset_password.html", form=form)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    user = current_actor()
    form = ProfileForm(obj=user)
    password_form = ChangePasswordForm(prefix="pw")
    if form.validate_on_submit():
        with attempt("Your profile is saved.") as done:
            update_profile(user, form.display_name.data.strip(), form.profession.data)
        if done:
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=password_form)


@bp.route("/profile/password", methods=["POST"])
@login_required
def change_password_view():
    user = current_actor()
    form = ProfileForm(obj=user, formdata=None)
    password_form = ChangePasswordForm(prefix="pw")
    password_form.policy_email = user.email
    if password_form.validate_on_submit():
        said = "Your password is changed. Other devices have been signed out."
        with attempt(said, field=password_form.current_password) as done:
            change_password(
                user, password_form.current_password.data, password_form.new_password.data
            )
            # Every session ended, this one included; start a new one for this browser.
            _sign_in(user, remember=False)
        if done:
            return redirect(url_for("accounts.profile"))
    return render_template("accounts/profile.html", form=form, password_form=password_form), 400


@bp.route("/admin/users")
@login_required
def admin_users():
    if not can_administer_accounts(current_user):
        abort(403)
    search = UserSearchForm(request.args)
    q = search.q.data.strip() if search.validate() and search.q.data else ""
    page = find_users(q, page=page_number(), per_page=USERS_PER_PAGE)
    return render_template("accounts/admin_users.html", page=page, search=search, form=EmptyForm())


@bp.route("/admin/users/<int:user_id>/<any(disable, enable):change>", methods=["GET", "POST"])
@login_required
def admin_set_active(user_id: int, change: str):
    if not can_administer_accounts(current_user):
        abort(403)
    user = db.get_or_404(User, user_id)
    form = EmptyForm()
    if form.validate_on_submit():
        with attempt(f"{user.display_name}'s account is {change}d."):
            set_account_active(user, change == "enable", current_actor())
        return redirect(url_for("accounts.admin_users"))
    return render_template("accounts/admin_confirm.html", user=user, change=change, form=form)

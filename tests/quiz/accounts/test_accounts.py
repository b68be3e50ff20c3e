"""Accounts: sign up, log in and out, throttling, passwords, profile, the header links."""

from __future__ import annotations

import re

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse

from quiz.models import TEACHERS_GROUP, Attempt
from tests.factories import PASSWORD, AttemptFactory, ClassroomFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-new-and-long-passphrase-77"
User = get_user_model()


@pytest.fixture
def teacher_flag(settings):
    """The header's teacher flag comes from a context processor the settings must list."""
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    if "quiz.permissions.account_flags" not in processors:
        templates = [{**settings.TEMPLATES[0], "OPTIONS": {**settings.TEMPLATES[0]["OPTIONS"]}}]
        templates[0]["OPTIONS"]["context_processors"] = [*processors, "quiz.permissions.account_flags"]
        settings.TEMPLATES = templates


def anonymous_session_key(client: Client) -> str:
    """Start an anonymous session on the test client, as playing a quiz would."""
    session = client.session
    session["played"] = True
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key
    return session.session_key


def signup_data(**overrides: str) -> dict[str, str]:
    return {
        "username": "newplayer",
        "email": "new@example.com",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        **overrides,
    }


def csrf_token_from(response) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


# Sign up ---------------------------------------------------------------------


def test_signup_page_asks_for_username_email_and_password_twice(client):
    """The sign-up page has a labelled field for each of the four inputs."""
    response = client.get(reverse("signup"))
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("username", "email", "password1", "password2"):
        assert f'name="{name}"' in html
        assert f'for="id_{name}"' in html


def test_signup_creates_the_account_and_logs_in(client):
    """A valid sign-up creates the user with the email, logs them in and goes home."""
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 302
    assert response.url == "/"
    user = User.objects.get(username="newplayer")
    assert user.email == "new@example.com"
    assert user.check_password(NEW_PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.get(reverse("profile")).status_code == 200  # still signed in on the next request


def test_signup_applies_the_password_validators(client):
    """A common password, or two passwords that differ, are refused and nobody is created."""
    response = client.post(reverse("signup"), signup_data(password1="password", password2="password"))
    assert response.status_code == 200
    assert "too common" in response.content.decode()
    response = client.post(reverse("signup"), signup_data(password2="something-else-entirely-9"))
    assert response.status_code == 200
    assert not User.objects.filter(username="newplayer").exists()
    assert SESSION_KEY not in client.session


def test_signup_refuses_a_taken_username(client):
    """Usernames are unique, whatever the case."""
    UserFactory(username="NewPlayer")
    response = client.post(reverse("signup"), signup_data())
    assert response.status_code == 200
    assert User.objects.filter(username__iexact="newplayer").count() == 1


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example", "https://evil.example/x?y=1"])
def test_signup_never_redirects_off_the_site(client, target):
    """An off-site ``next`` is ignored: the new user lands on the home page."""
    response = client.post(f"{reverse('signup')}?next={target}", signup_data())
    assert response.status_code == 302
    assert response.url == "/"


def test_signup_follows_a_local_next(client):
    """A ``next`` on this site is where the new user goes."""
    response = client.post(reverse("signup"), {**signup_data(), "next": "/leaderboards/"})
    assert response.url == "/leaderboards/"


def test_signup_moves_the_anonymous_attempts_to_the_account(client):
    """Quizzes played before signing up belong to the new account; other sessions' do not."""
    key = anonymous_session_key(client)
    mine = AttemptFactory.create_batch(2, user=None, session_key=key)
    someone_elses = AttemptFactory(user=None, session_key="another-session")
    keyless = AttemptFactory(user=None, session_key="")
    client.post(reverse("signup"), signup_data())
    user = User.objects.get(username="newplayer")
    for attempt in mine:
        attempt.refresh_from_db()
        assert attempt.user == user
        assert attempt.session_key == ""
    for attempt in (someone_elses, keyless):
        attempt.refresh_from_db()
        assert attempt.user is None


def test_signup_without_a_session_claims_nothing(client):
    """A visitor with no session has no attempts: the keyless anonymous ones stay unowned."""
    keyless = AttemptFactory(user=None, session_key="")
    client.post(reverse("signup"), signup_data())
    keyless.refresh_from_db()
    assert keyless.user is None


def test_signup_needs_the_csrf_token():
    """Without the CSRF token the POST is refused; with it, it works."""
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("signup"), signup_data()).status_code == 403
    assert not User.objects.exists()
    token = csrf_token_from(client.get(reverse("signup")))
    response = client.post(reverse("signup"), {**signup_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert User.objects.filter(username="newplayer").exists()


def test_signup_sends_a_logged_in_user_on(client):
    """Someone already logged in is not shown the sign-up form."""
    client.force_login(UserFactory())
    assert client.get(reverse("signup")).status_code == 302


# Log in / log out --------------------------------------------------------------


def test_login_page_renders(client):
    """The log-in page has the form and a link to reset a forgotten password."""
    response = client.get(reverse("login"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert reverse("password_reset") in html


def test_login_logs_in_and_moves_the_anonymous_attempts(client):
    """Logging in cycles the session key, yet the attempts of the old session move over."""
    user = UserFactory()
    key = anonymous_session_key(client)
    attempt = AttemptFactory(user=None, session_key=key)
    other = AttemptFactory(user=None, session_key="another-session")
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != key
    attempt.refresh_from_db()
    assert (attempt.user, attempt.session_key) == (user, "")
    other.refresh_from_db()
    assert other.user is None


def test_a_failed_login_moves_nothing(client):
    """A wrong password leaves the anonymous attempts where they were."""
    user = UserFactory()
    key = anonymous_session_key(client)
    attempt = AttemptFactory(user=None, session_key=key)
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    assert response.status_code == 200
    attempt.refresh_from_db()
    assert attempt.user is None
    assert attempt.session_key == key


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example"])
def test_login_never_redirects_off_the_site(client, target):
    """An off-site ``next`` is ignored on log-in: the user lands on the home page."""
    user = UserFactory()
    response = client.post(
        f"{reverse('login')}?next={target}", {"username": user.username, "password": PASSWORD, "next": target}
    )
    assert response.status_code == 302
    assert response.url == "/"


def test_login_follows_a_local_next(client):
    """A ``next`` on this site is honoured."""
    user = UserFactory()
    response = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD, "next": "/history/"}
    )
    assert response.url == "/history/"


def test_logout_is_a_post(client):
    """Log-out happens on POST only; a GET changes nothing."""
    client.force_login(UserFactory())
    assert client.get(reverse("logout")).status_code == 405
    assert SESSION_KEY in client.session
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_login_is_locked_after_too_many_failures(client, settings):
    """After AXES_FAILURE_LIMIT wrong passwords even the right one gets the 429 lockout page."""
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("login"), {"username": user.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_admin_login_is_throttled_too(client, settings):
    """The admin's log-in form goes through the same lock."""
    staff = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": staff.username, "password": "wrong"})
    response = client.post(url, {"username": staff.username, "password": PASSWORD})
    assert response.status_code == 429
    assert SESSION_KEY not in client.session


# Passwords ---------------------------------------------------------------------


def test_password_change(client):
    """A logged-in user changes their password with the old one; the new one works."""
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("password_change")).status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert response.url == reverse("password_change_done")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert client.get(response.url).status_code == 200


def test_password_change_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_password_reset_by_email(client):
    """The reset form mails a link; the link lets the user choose a new password."""
    user = UserFactory(email="reset-me@example.com")
    response = client.post(reverse("password_reset"), {"email": "reset-me@example.com"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["reset-me@example.com"]
    assert message.subject == "Reset your Dossiers password"
    link = re.search(r"http://testserver(/accounts/password/reset/\S+/)", message.body).group(1)
    response = client.get(link, follow=True)  # Django swaps the token for a session marker
    assert response.status_code == 200
    assert "Choose a new password" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.url == reverse("password_reset_complete")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_password_reset_for_an_unknown_address_sends_nothing(client):
    """No mail for an address nobody uses, and the page does not say so (no enumeration)."""
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_bad_reset_link_says_so(client):
    """A made-up token shows the 'does not work' page, with no form."""
    response = client.get(reverse("password_reset_confirm", args=["MQ", "bad-token"]))
    assert response.status_code == 200
    assert "This link does not work" in response.content.decode()
    assert "new_password1" not in response.content.decode()


# Profile -------------------------------------------------------------------------


def test_profile_shows_the_account(client):
    """Username, email, joining date, classes and a link to the history."""
    user = UserFactory(username="ada", email="ada@example.com")
    membership = MembershipFactory(student=user, classroom__name="History 4B")
    client.force_login(user)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "ada" in html
    assert "ada@example.com" in html
    assert user.date_joined.strftime("%Y") in html
    assert "History 4B" in html
    assert membership.classroom.teacher.username in html
    assert reverse("history") in html


def test_profile_changes_the_email(client):
    """POSTing a new address saves it."""
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("profile"), {"email": "changed@example.com"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.email == "changed@example.com"


def test_profile_refuses_a_bad_email(client):
    """An invalid address is refused with an error, and the saved one stays."""
    user = UserFactory(email="kept@example.com")
    client.force_login(user)
    response = client.post(reverse("profile"), {"email": "not-an-address"})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    user.refresh_from_db()
    assert user.email == "kept@example.com"


def test_profile_needs_login(client):
    """Anonymous visitors are sent to log in."""
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_teacher_profile_lists_the_classes_they_teach(client):
    """A teacher's profile lists their own classes with the join codes."""
    teacher = UserFactory()
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    classroom = ClassroomFactory(teacher=teacher, name="Year 9")
    client.force_login(teacher)
    html = client.get(reverse("profile")).content.decode()
    assert "Year 9" in html
    assert classroom.join_code in html


# The header ---------------------------------------------------------------------


def test_header_for_visitors_offers_log_in_and_sign_up(client):
    """Anonymous visitors see Leaderboards, Log in and Sign up, and no account links."""
    html = client.get(reverse("leaderboards")).content.decode()
    assert reverse("login") in html
    assert reverse("signup") in html
    assert "My history" not in html
    assert "Log out" not in html


def test_header_for_students(client, teacher_flag):
    """A student sees history, leaderboards, 'Join a class', profile and a log-out form."""
    client.force_login(UserFactory())
    html = client.get(reverse("leaderboards")).content.decode()
    for link in ("history", "leaderboards", "class_list", "profile"):
        assert f'href="{reverse(link)}"' in html
    assert "Join a class" in html
    assert "My classes" not in html
    assert re.search(rf'<form method="post" action="{reverse("logout")}">', html)


def test_header_for_teachers_says_my_classes(client, teacher_flag):
    """A teacher's header says 'My classes'."""
    teacher = UserFactory()
    teacher.groups.add(Group.objects.get_or_create(name=TEACHERS_GROUP)[0])
    client.force_login(teacher)
    html = client.get(reverse("leaderboards")).content.decode()
    assert "My classes" in html
    assert "Join a class" not in html


def test_no_anonymous_attempt_is_claimed_by_a_login_without_session(client):
    """Logging in from a fresh client claims nothing, even with keyless anonymous attempts."""
    user = UserFactory()
    keyless = AttemptFactory(user=None, session_key="")
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    keyless.refresh_from_db()
    assert keyless.user is None
    assert Attempt.objects.filter(user=user).count() == 0

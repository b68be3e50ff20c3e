"""The client's address behind a proxy (config.proxy), as the log-in lockout sees it."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client, RequestFactory
from django.urls import reverse

from config.proxy import client_ip
from tests.factories import PASSWORD, UserFactory


def request_from(remote: str, forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_a_proxy_the_address_is_remote_addr_and_forwarded_for_is_ignored(settings):
    settings.BEHIND_PROXY = False
    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "198.51.100.7", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # the client's own entry is not trusted
        (2, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.1"),  # did not come through both proxies
        (1, "", "10.0.0.1"),
        (1, None, "10.0.0.1"),
    ],
)
def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(settings, count, forwarded, expected):
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, count
    assert client_ip(request_from("10.0.0.1", forwarded)) == expected


@pytest.mark.django_db
def test_behind_a_proxy_one_visitors_failures_do_not_lock_out_another(settings):
    """Everyone arrives from the proxy's address; the lockout is per visitor's address."""
    settings.BEHIND_PROXY, settings.PROXY_COUNT = True, 1
    user = UserFactory()
    attacker = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.66")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": user.username, "password": "wrong"})
    locked = attacker.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert locked.status_code == 429
    owner = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.20")
    response = owner.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert owner.session[SESSION_KEY] == str(user.pk)

"""The dossier page is rendered once per change of the dossier, and revalidates with a 304.

A class of thirty opening the page at once should not render it thirty times: the body is
the same for every reader and is cached under the dossier's stamp (``Topic.updated_at``),
which every import and admin edit moves on. What is personal (the header) is not cached.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from content.models import PAGE_STAMP_SECONDS, Section, Topic
from quiz.permissions import EDITORS_GROUP
from tests.factories import QuizFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(settings):
    call_command("import_dossier", "fixtures/north-korea-russia.yaml", verbosity=0)
    return Topic.objects.get(slug="north-korea-russia")


@pytest.fixture
def editor(client):
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get_or_create(name=EDITORS_GROUP)[0])
    client.force_login(user)
    return user


def test_a_warm_page_reads_nothing_from_the_database(client, dossier, django_assert_num_queries):
    """Anonymous: the first visit renders the page; the next ones read nothing (the body
    and the dossier's stamp come from the cache)."""
    url = dossier.get_absolute_url()
    first = client.get(url)
    with django_assert_num_queries(0):
        second = client.get(url)

    def article(response) -> str:
        html = response.content.decode()
        return html[html.index('<article class="dossier">') : html.index("</article>")]

    assert article(first) == article(second)  # the rest differs only by the CSRF and CSP nonces
    assert "In this dossier" in article(second)


def test_the_browser_revalidates_with_a_304(client, dossier):
    url = dossier.get_absolute_url()
    etag = client.get(url)["ETag"]
    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert "private" in client.get(url)["Cache-Control"]


def test_an_admin_edit_shows_at_once(client, dossier, editor):
    """Editing a passage in the admin: the next view of the page has the new words, and the
    old ETag no longer matches."""
    url = dossier.get_absolute_url()
    etag = client.get(url)["ETag"]
    section = dossier.sections.first()
    change = reverse("admin:content_section_change", args=[section.pk])
    form = client.get(change).context["adminform"].form
    data = {name: form.initial.get(name) for name in ("topic", "slug", "context", "order")}
    data.update(
        {
            "body": "A freshly corrected passage about the Tumen.",
            "tags": [tag.pk for tag in section.tags.all()],
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        }
    )
    data = {key: value for key, value in data.items() if value is not None}
    assert client.post(change, data).status_code == 302, "the admin refused the edit"
    page = client.get(url)
    assert page.status_code == 200
    assert "A freshly corrected passage about the Tumen." in page.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_a_reimport_and_a_teachers_new_quiz_show_at_once(client, dossier):
    url = dossier.get_absolute_url()
    client.get(url)
    Section.objects.filter(topic=dossier).update(body="Stale words.")  # not through the app
    call_command("import_dossier", "fixtures/north-korea-russia.yaml", verbosity=0)
    assert "Stale words." not in client.get(url).content.decode()
    QuizFactory(topic=dossier, title="Borders drill", published=True)
    assert "Borders drill" in client.get(url).content.decode()


def test_the_cached_body_carries_nothing_personal(client, dossier):
    """A signed-in reader renders the page first; an anonymous reader then gets the cached
    body with their own header (Log in, not the first reader's links)."""
    reader = UserFactory(username="first-reader")
    client.force_login(reader)
    assert "My history" in client.get(dossier.get_absolute_url()).content.decode()
    client.logout()
    html = client.get(dossier.get_absolute_url()).content.decode()
    assert "Log in" in html
    assert "My history" not in html
    assert "first-reader" not in html


def test_unpublishing_or_deleting_a_dossier_shows_at_once(client, dossier, editor):
    """The cached stamp is forgotten by the change: the page is a 404 on the next view."""
    url = dossier.get_absolute_url()
    assert client.get(url).status_code == 200
    dossier.published = False
    dossier.save()
    assert client.get(url).status_code == 404
    dossier.published = True
    dossier.save()
    assert client.get(url).status_code == 200
    Topic.objects.filter(pk=dossier.pk).delete()
    assert client.get(url).status_code == 404


def test_a_change_made_by_another_server_shows_within_the_stamps_lifetime(client, dossier, monkeypatch):
    """Another app server's change reaches this process's memory cache only through the
    database: the page trusts its cached stamp for PAGE_STAMP_SECONDS, then reads it again."""
    import time

    url = dossier.get_absolute_url()
    client.get(url)
    # As another server would write it: straight to the database, no cache in this process told.
    Topic.objects.filter(pk=dossier.pk).update(published=False)
    assert client.get(url).status_code == 200  # still within the stamp's lifetime
    later = time.time() + PAGE_STAMP_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(url).status_code == 404


def test_an_unknown_slug_is_not_cached(client, dossier):
    """Made-up slugs cost a query each and leave nothing in the cache to fill it with."""
    from django.core.cache import cache

    assert client.get("/dossiers/no-such-dossier/").status_code == 404
    assert cache.get("dossier-stamp:no-such-dossier") is None

"""The content admin: pages render, search and filters work, disputes are recomputed."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from content.models import Citation, Fact, Source
from tests.factories import (
    CitationFactory,
    FactFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(username="editor", is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


@pytest.fixture
def fact():
    topic = TopicFactory(slug="nk-russia")
    fact = FactFactory(
        topic=topic, slug="border-length", subject="kilometres long is the border", answer="17"
    )
    fact.tags.add(TagFactory(slug="borders"))
    source = SourceFactory(topic=topic, key="wiki")
    CitationFactory(source=source, fact=fact, value="17")
    SectionFactory(topic=topic)
    TimelineEventFactory(topic=topic)
    Citation.objects.create(source=source, topic=topic)
    return fact


MODELS = ["topic", "source", "section", "timelineevent", "fact", "citation", "tag"]


@pytest.mark.parametrize("model", MODELS)
def test_changelist_add_and_change_pages_render(admin_client, fact, model):
    """Every content model has a working list, add form and change form."""
    changelist = admin_client.get(reverse(f"admin:content_{model}_changelist"))
    add = admin_client.get(reverse(f"admin:content_{model}_add"))
    obj = changelist.context["cl"].result_list[0]
    change = admin_client.get(reverse(f"admin:content_{model}_change", args=[obj.pk]))

    assert changelist.status_code == 200
    assert add.status_code == 200
    assert change.status_code == 200


def test_admin_refuses_a_non_staff_user(client, fact):
    """Only staff reach the admin: anyone else is sent to its login page."""
    client.force_login(UserFactory())

    response = client.get(reverse("admin:content_fact_changelist"))

    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_fact_search_and_filters(admin_client, fact):
    """Search looks in subjects and answers; topic, tag, kind and disputed filter the list."""
    other = FactFactory(topic=TopicFactory(), subject="the year the wall fell", answer="1989")
    CitationFactory(source=SourceFactory(topic=other.topic), fact=other, value="1989")
    CitationFactory(source=SourceFactory(topic=other.topic), fact=other, value="1990")
    other.refresh_disputed()
    url = reverse("admin:content_fact_changelist")

    def listed(params: dict) -> list[Fact]:
        response = admin_client.get(url, params)
        assert response.status_code == 200
        return list(response.context["cl"].result_list)

    assert listed({"q": "wall"}) == [other]
    assert listed({"q": "kilometres"}) == [fact]
    assert listed({"topic__id__exact": fact.topic_id}) == [fact]
    assert listed({"tags__id__exact": fact.tags.get().pk}) == [fact]
    assert listed({"disputed__exact": "1"}) == [other]
    assert set(listed({"kind__exact": "year"})) == {fact, other}
    assert listed({"kind__exact": "person"}) == []
    assert "Sources disagree" in admin_client.get(url).content.decode()


def test_other_changelists_search_and_filter_by_topic(admin_client, fact):
    """Sections, events and sources filter by dossier and search their text."""
    SectionFactory(topic=TopicFactory(), context="Walrus diplomacy")

    sections = admin_client.get(reverse("admin:content_section_changelist"), {"q": "walrus"})
    by_topic = admin_client.get(
        reverse("admin:content_source_changelist"), {"topic__id__exact": fact.topic_id}
    )

    assert [s.context for s in sections.context["cl"].result_list] == ["Walrus diplomacy"]
    assert [s.key for s in by_topic.context["cl"].result_list] == ["wiki"]


def fact_post_data(fact: Fact, values: list[tuple[int, str]]) -> dict:
    """The change form of ``fact`` as the browser posts it, with its citations inline."""
    citations = list(fact.citations.order_by("pk"))
    data = {
        "topic": fact.topic_id,
        "slug": fact.slug,
        "subject": fact.subject,
        "statement": fact.statement,
        "stem": "",
        "kind": fact.kind,
        "answer": fact.answer,
        "unit": "",
        "aliases": "[]",
        "year": "",
        "section": "",
        "event": "",
        "tags": [t.pk for t in fact.tags.all()],
        "explanation": "",
        "dispute_note": "The sources disagree.",
        "citations-TOTAL_FORMS": str(len(values)),
        "citations-INITIAL_FORMS": str(len(citations)),
        "citations-MIN_NUM_FORMS": "0",
        "citations-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, (source_id, value) in enumerate(values):
        prefix = f"citations-{i}"
        data |= {f"{prefix}-source": source_id, f"{prefix}-value": value, f"{prefix}-locator": ""}
        data |= {f"{prefix}-note": "", f"{prefix}-fact": fact.pk}
        if i < len(citations):
            data[f"{prefix}-id"] = citations[i].pk
    return data


def test_saving_differing_citation_values_in_the_admin_marks_the_fact_disputed(admin_client, fact):
    """A citation with another value added inline makes the fact disputed; agreeing again undoes it."""
    wiki = fact.citations.get().source
    maps = SourceFactory(topic=fact.topic, key="maps")
    url = reverse("admin:content_fact_change", args=[fact.pk])

    response = admin_client.post(url, fact_post_data(fact, [(wiki.pk, "17"), (maps.pk, "19")]))

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    fact.refresh_from_db()
    assert fact.disputed is True
    assert sorted(fact.citations.values_list("value", flat=True)) == ["17", "19"]

    response = admin_client.post(url, fact_post_data(fact, [(wiki.pk, "17"), (maps.pk, "17 ")]))

    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.disputed is False


def test_disputed_cannot_be_typed_in(admin_client, fact):
    """disputed is read-only: posting it changes nothing."""
    url = reverse("admin:content_fact_change", args=[fact.pk])
    data = fact_post_data(fact, [(fact.citations.get().source_id, "17")]) | {"disputed": "on"}

    admin_client.post(url, data)

    fact.refresh_from_db()
    assert fact.disputed is False


def test_saving_or_deleting_a_citation_on_its_own_page_recomputes_the_fact(admin_client, fact):
    """The citation admin keeps the fact's disputed flag true to its citations."""
    maps = SourceFactory(topic=fact.topic, key="maps")
    add = admin_client.post(
        reverse("admin:content_citation_add"),
        {"source": maps.pk, "fact": fact.pk, "value": "19", "locator": "", "note": "", "_save": "Save"},
    )

    assert add.status_code == 302
    fact.refresh_from_db()
    assert fact.disputed is True

    citation = fact.citations.get(value="19")
    delete = admin_client.post(reverse("admin:content_citation_delete", args=[citation.pk]), {"post": "yes"})

    assert delete.status_code == 302
    fact.refresh_from_db()
    assert fact.disputed is False


def source_post_data(source: Source, date: str, precision: str) -> dict:
    """The change form of ``source`` as the browser posts it, with a new date and precision."""
    return {
        "topic": source.topic_id,
        "key": source.key,
        "title": source.title,
        "publisher": source.publisher,
        "kind": source.kind,
        "date": date,
        "date_precision": precision,
        "url": source.url,
        "note": source.note,
        "order": source.order,
        "_save": "Save",
    }


@pytest.mark.parametrize(
    ("precision", "stored", "label"),
    [
        ("year", datetime.date(2019, 1, 1), "2019"),
        ("month", datetime.date(2019, 4, 1), "April 2019"),
        ("day", datetime.date(2019, 4, 25), "25 April 2019"),
    ],
)
def test_source_date_and_precision_are_edited_together(admin_client, fact, precision, stored, label):
    """The change form has the precision beside the date; a year or a month is saved as its
    first day, and the list shows the date as precisely as it is known."""
    source = fact.citations.get().source
    url = reverse("admin:content_source_change", args=[source.pk])
    form = admin_client.get(url).content.decode()
    assert 'name="date"' in form
    assert 'name="date_precision"' in form
    assert form.index('name="date"') < form.index('name="date_precision"') < form.index('name="url"')

    response = admin_client.post(url, source_post_data(source, "2019-04-25", precision))

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    source.refresh_from_db()
    assert (source.date, source.date_precision) == (stored, precision)
    changelist = admin_client.get(reverse("admin:content_source_changelist")).content.decode()
    assert f'<td class="field-date_label">{label}</td>' in changelist

"""The study pages: home, dossier and tag (search: test_search.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from content.models import Citation, Fact, Topic
from content.pages import DISPUTED_SHOWN, Cite, value_groups
from quiz.models import Quiz
from tests.factories import (
    CitationFactory,
    FactFactory,
    QuizFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def build_dossier(topic: Topic, size: int, start: int = 0) -> None:
    """Add ``size`` sections, events and facts (half disputed), each tagged and cited twice."""
    sources = [SourceFactory(topic=topic, key=f"src-{start}-{i}") for i in range(3)]
    tags = [TagFactory(slug=f"theme-{i}") for i in range(3)]
    for i in range(start, start + size):
        section = SectionFactory(topic=topic, slug=f"s-{i}", context=f"Context {i}")
        section.tags.set(tags[: 1 + i % 3])
        event = TimelineEventFactory(topic=topic, slug=f"e-{i}", year=1900 + i, section=section)
        event.tags.set(tags[:1])
        fact = FactFactory(topic=topic, slug=f"f-{i}", section=section, event=event, answer=str(1900 + i))
        fact.tags.set(tags[1:])
        Citation.objects.create(source=sources[0], section=section, locator="§1")
        Citation.objects.create(source=sources[1], event=event)
        CitationFactory(source=sources[0], fact=fact, value=fact.answer)
        other = str(1901 + i) if i % 2 else fact.answer
        CitationFactory(source=sources[1], fact=fact, value=other, locator="p. 3")
        fact.refresh_disputed()
    Citation.objects.create(source=sources[2], topic=topic)


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


# Home ---------------------------------------------------------------------


def test_home_lists_published_dossiers_with_counts_tags_and_both_choices(client):
    """Each published dossier is a card: title, summary, counts, tags, Play trivia and Study."""
    topic = TopicFactory(slug="nk-russia", title="North Korea–Russia relations", summary="A short border.")
    build_dossier(topic, 3)
    TopicFactory(slug="hidden", title="Draft dossier", published=False)

    response = client.get(reverse("home"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "North Korea–Russia relations" in html
    assert "A short border." in html
    assert "Draft dossier" not in html
    assert "<strong>3</strong> sections" in html
    assert "<strong>3</strong> events" in html
    assert "<strong>3</strong> facts" in html
    assert "1 disputed" in html
    assert f'href="{reverse("play_topic", args=["nk-russia"])}"' in html
    assert f'href="{reverse("topic_detail", args=["nk-russia"])}"' in html
    assert f'href="{reverse("tag_detail", args=["theme-1"])}"' in html
    assert html.count("<h1") == 1


def test_home_says_so_when_there_is_no_dossier(client):
    """An empty site explains itself instead of showing an empty grid."""
    response = client.get(reverse("home"))

    assert "No dossiers are published yet" in response.content.decode()


def test_home_query_count_does_not_grow_with_dossiers(client, django_assert_max_num_queries):
    """Counts are subqueries and tags one query per kind: more dossiers, same queries."""
    for n in range(2):
        build_dossier(TopicFactory(slug=f"t-{n}"), 4, start=10 * n)
    with django_assert_max_num_queries(3):
        small = queries_for(client, reverse("home"))
    for n in range(2, 6):
        build_dossier(TopicFactory(slug=f"t-{n}"), 8, start=10 * n)

    assert queries_for(client, reverse("home")) == small


# Dossier ------------------------------------------------------------------


@pytest.fixture
def dossier():
    topic = TopicFactory(
        slug="nk-russia",
        title="North Korea–Russia relations",
        definition="The relations between the DPRK and Russia.\n\nA second <b>paragraph</b>.",
    )
    wiki = SourceFactory(topic=topic, key="wiki", title="Wikipedia page", note="The overview.", order=1)
    maps = SourceFactory(topic=topic, key="maps", title="Maps of World", note="Border lengths.", order=2)
    Citation.objects.create(source=wiki, topic=topic)
    borders = TagFactory(slug="borders", name="Borders")
    section = SectionFactory(topic=topic, slug="imperial", context="Imperial Borders", body="One.\n\nTwo.")
    section.tags.add(borders)
    Citation.objects.create(source=maps, section=section, locator="§2")
    TimelineEventFactory(topic=topic, slug="nerchinsk", year=1689, title="Treaty of Nerchinsk")
    TimelineEventFactory(topic=topic, slug="occupation", year=1945, month=8, title="Occupation")
    TimelineEventFactory(
        topic=topic, slug="war", year=1950, month=6, day=25, end_year=1953, title="Korean War"
    )
    length = FactFactory(
        topic=topic,
        slug="border-length",
        kind=Fact.Kind.NUMBER,
        subject="kilometres long is the border",
        answer="17",
        unit="km",
        section=section,
        dispute_note="Maps of World measures along the river.",
    )
    CitationFactory(source=wiki, fact=length, value="17", locator="Infobox")
    CitationFactory(source=maps, fact=length, value="19", locator="Border section")
    length.refresh_disputed()
    settled = FactFactory(topic=topic, slug="settled", subject="the settled thing happened")
    CitationFactory(source=wiki, fact=settled)
    return topic


def test_dossier_page_has_the_menu_sections_and_back_links(client, dossier):
    """The menu links every section anchor and the three lists; each section links back."""
    response = client.get(dossier.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    menu = re.search(r'<nav[^>]*aria-label="In this dossier"[^>]*>(.*?)</nav>', html, re.S)
    assert menu is not None
    assert 'id="dossier-menu"' in menu.group(0)
    for anchor in ("#section-imperial", "#timeline", "#sources", "#disputed"):
        assert f'href="{anchor}"' in menu.group(1)
    assert 'id="section-imperial"' in html
    assert "North Korea–Russia relations in the context of Imperial Borders" in html
    assert 'href="#dossier-menu">Back to the menu</a>' in html
    assert f'href="{reverse("tag_detail", args=["borders"])}"' in html
    assert f'href="{reverse("play_topic", args=["nk-russia"])}"' in html
    assert "Play trivia on this dossier" in html


def test_dossier_page_escapes_text_and_keeps_paragraphs(client, dossier):
    """Dossier text is escaped; blank lines make paragraphs."""
    html = client.get(dossier.get_absolute_url()).content.decode()

    assert "A second &lt;b&gt;paragraph&lt;/b&gt;." in html
    assert "<p>One.</p>" in html
    assert "<p>Two.</p>" in html


def test_dossier_paragraphs_are_unwrapped(client):
    """Hard-wrapped lines in a paragraph read as one paragraph, not as line breaks."""
    topic = TopicFactory(definition="One line\nwrapped here.\n\n\nNext  paragraph.\n")

    html = client.get(topic.get_absolute_url()).content.decode()

    assert "<p>One line wrapped here.</p><p>Next paragraph.</p>" in html
    assert "<br>" not in html


def test_dossier_timeline_marks_dates_as_precisely_as_known(client, dossier):
    """<time datetime> follows the precision; a period shows as a range of two dates."""
    html = client.get(dossier.get_absolute_url()).content.decode()

    assert '<time datetime="1689">1689</time>' in html
    assert '<time datetime="1945-08">August 1945</time>' in html
    assert '<time datetime="1950-06-25">25 June 1950</time>–<time datetime="1953">1953</time>' in html
    assert 'id="event-nerchinsk"' in html
    assert html.index("Treaty of Nerchinsk") < html.index("Occupation") < html.index("Korean War")


def test_dossier_sources_say_what_they_are_and_what_cites_them(client, dossier):
    """Each source: its note, its anchor, and what it is cited for; cite marks link to it."""
    html = client.get(dossier.get_absolute_url()).content.decode()

    assert 'id="source-wiki"' in html
    assert "The overview." in html
    assert "Cited for the definition and 2 facts." in html
    assert "Cited for 1 section and 1 fact." in html
    assert 'href="#source-maps">[2]' in html


def test_dossier_sources_show_their_dates_as_precisely_as_known(client, dossier):
    """A year-only source shows its year, a month-only one its month, a dated one its full
    date (even on 1 January), each as a <time> with the date as the file writes it."""
    dates = [
        ("dictionary", datetime.date(2010, 1, 1), "year"),
        ("monthly", datetime.date(2012, 3, 1), "month"),
        ("mapsofworld", datetime.date(2020, 11, 24), "day"),
        ("new-year", datetime.date(2015, 1, 1), "day"),
    ]
    for order, (key, date, precision) in enumerate(dates, start=3):
        SourceFactory(topic=dossier, key=key, order=order, date=date, date_precision=precision)

    html = client.get(dossier.get_absolute_url()).content.decode()

    def shown(key: str) -> str:
        found = re.search(rf'<li class="source" id="source-{key}">.*?</li>', html, re.S)
        assert found is not None
        return found.group(0)

    assert ' · <time datetime="2010">2010</time></p>' in shown("dictionary")
    assert "January" not in shown("dictionary")
    assert ' · <time datetime="2012-03">March 2012</time></p>' in shown("monthly")
    assert ' · <time datetime="2020-11-24">24 November 2020</time></p>' in shown("mapsofworld")
    assert ' · <time datetime="2015-01-01">1 January 2015</time></p>' in shown("new-year")
    assert "<time" not in shown("wiki")  # undated


def test_dossier_shows_every_disputed_value_with_who_gives_it(client, dossier):
    """A disputed fact: its question, each value with its source and locator, the note."""
    html = client.get(dossier.get_absolute_url()).content.decode()

    block = re.search(r'<article class="dispute" id="fact-border-length".*?</article>', html, re.S)
    assert block is not None
    text = block.group(0)
    assert "Sources disagree" in text
    assert "How many km kilometres long is the border?" in text
    assert re.search(
        r"17 km</span>\s*<span[^>]*>according to\s*<a[^>]*>Wikipedia page</a> \[1\] \(Infobox\)", text
    )
    assert re.search(r"19 km</span>\s*<span[^>]*>according to\s*<a[^>]*>Maps of World</a> \[2\]", text)
    assert "Maps of World measures along the river." in text
    assert 'href="#section-imperial"' in text
    assert 'id="fact-settled"' not in html


def test_dossier_of_an_unpublished_or_unknown_topic_is_not_found(client):
    """Drafts are not shown to the public."""
    draft = TopicFactory(published=False)

    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(reverse("topic_detail", args=["nope"])).status_code == 404


def test_dossier_query_count_does_not_grow_with_the_dossier(client, django_assert_max_num_queries):
    """Signed in (session, user, the header's teacher check, review count and assigned count
    included), rendering the page takes at most 12 queries (the stamp, the five of
    content.pages, the teachers' quiz list), as many for 10 sections, events and facts as for
    120 with more disputed facts than the page lists and two published quizzes; served from
    the cache it takes 5 (the session, the user, the header's three): the stamp is cached too."""
    topic = TopicFactory(slug="big")
    build_dossier(topic, 10)
    client.force_login(UserFactory())
    with django_assert_max_num_queries(12):
        small = queries_for(client, topic.get_absolute_url())
    with django_assert_max_num_queries(5):
        warm = queries_for(client, topic.get_absolute_url())
    build_dossier(topic, 110, start=100)
    QuizFactory(topic=topic, title="Borders only")
    QuizFactory(topic=topic, title="Famine")
    cache.clear()

    assert topic.facts.filter(disputed=True).count() > DISPUTED_SHOWN
    with django_assert_max_num_queries(12):
        assert queries_for(client, topic.get_absolute_url()) == small
    # Its own body, rendered anew; the stamp is the one the page above cached.
    assert queries_for(client, f"{topic.get_absolute_url()}?disputed=all") == small - 1
    assert queries_for(client, topic.get_absolute_url()) == warm


def test_dossier_lists_the_first_disputed_facts_and_links_to_all(client):
    """Past DISPUTED_SHOWN disputed facts the page lists the first by pk, says how many there are
    and links to ?disputed=all, which lists every one; the header counts them all."""
    topic = TopicFactory(slug="many")
    build_dossier(topic, 2 * DISPUTED_SHOWN + 4)
    total = DISPUTED_SHOWN + 2
    first, last = topic.facts.filter(disputed=True).order_by("pk")[:: DISPUTED_SHOWN + 1]

    html = client.get(topic.get_absolute_url()).content.decode()

    assert html.count('<article class="dispute"') == DISPUTED_SHOWN
    assert f'id="fact-{first.slug}"' in html
    assert f'id="fact-{last.slug}"' not in html
    assert f"{total} facts where sources disagree" in html
    assert f"Showing the first {DISPUTED_SHOWN} of {total} disputed facts." in html
    assert 'href="?disputed=all#disputed"' in html

    everything = client.get(f"{topic.get_absolute_url()}?disputed=all").content.decode()

    assert everything.count('<article class="dispute"') == total
    assert f'id="fact-{last.slug}"' in everything
    assert "Showing the first" not in everything


def test_dossier_lists_its_other_published_quizzes(client, dossier):
    """Quizzes teachers publish on the dossier are linked by title; drafts, the dossier's own
    default quiz and other dossiers' quizzes are not."""
    Quiz.default_for(dossier)
    QuizFactory(topic=dossier, slug="treaty-drill", title="Treaty drill")
    QuizFactory(topic=dossier, slug="border-sprint", title="Border sprint")
    QuizFactory(topic=dossier, slug="draft", title="Unfinished draft", published=False)
    QuizFactory(slug="elsewhere", title="Another dossier's quiz")

    html = client.get(dossier.get_absolute_url()).content.decode()

    block = re.search(r'<section class="dossier-quizzes".*?</section>', html, re.S)
    assert block is not None
    links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', block.group(0))
    assert links == [
        (reverse("quiz_detail", args=["border-sprint"]), "Border sprint"),
        (reverse("quiz_detail", args=["treaty-drill"]), "Treaty drill"),
    ]
    assert "Unfinished draft" not in html
    assert "Another dossier&#x27;s quiz" not in html


def test_dossier_without_other_quizzes_shows_no_quiz_list(client, dossier):
    """Only the default quiz: the page offers Play trivia and no empty list."""
    Quiz.default_for(dossier)

    html = client.get(dossier.get_absolute_url()).content.decode()

    assert 'class="dossier-quizzes"' not in html
    assert "Play trivia on this dossier" in html


def test_value_groups_fold_spellings_and_keep_order():
    """Values that normalise alike are one group; the first spelling is shown."""
    citations = [Citation(value="Kim Il-sung"), Citation(value="1945"), Citation(value="kim il sung")]

    cites = [Cite(citation, mark) for mark, citation in enumerate(citations, start=1)]

    groups = value_groups(cites)

    assert [g.value for g in groups] == ["Kim Il-sung", "1945"]
    assert groups[0].cites == [cites[0], cites[2]]


# Tag ----------------------------------------------------------------------


def test_tag_page_lists_sections_and_facts_by_dossier(client, dossier):
    """Sections and facts with the tag, facts grouped by dossier, disputed ones marked."""
    borders = TagFactory(slug="borders")
    other = TopicFactory(slug="other", title="Another dossier")
    fact = FactFactory(topic=other, slug="far", statement="A far fact was 1900.")
    fact.tags.add(borders)
    dossier.facts.get(slug="border-length").tags.add(borders)
    hidden = TopicFactory(slug="hidden", published=False)
    FactFactory(topic=hidden, statement="A hidden fact.").tags.add(borders)

    response = client.get(borders.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert "North Korea–Russia relations in the context of Imperial Borders" in html
    assert "Another dossier" in html
    assert "A far fact was 1900." in html
    assert "A hidden fact." not in html
    assert 'href="/dossiers/nk-russia/#section-imperial"' in html
    assert "Sources disagree" in html
    assert f'href="{reverse("play_tag", args=["borders"])}"' in html


def test_tag_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    """Tagged sections and facts come with their dossiers in a fixed number of queries."""
    build_dossier(TopicFactory(slug="a"), 5)
    url = reverse("tag_detail", args=["theme-1"])
    with django_assert_max_num_queries(4):
        small = queries_for(client, url)
    build_dossier(TopicFactory(slug="b"), 10, start=50)

    assert queries_for(client, url) == small


def test_unknown_tag_is_not_found(client):
    """A tag that does not exist is a 404."""
    assert client.get(reverse("tag_detail", args=["nope"])).status_code == 404

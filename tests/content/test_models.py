"""The content models: answer folding, disputes, dates and the citation rule."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from content.models import (
    Citation,
    Fact,
    Source,
    TimelineEvent,
    Topic,
    distinct_values,
    normalise,
    numeric_value,
)
from tests.factories import (
    CitationFactory,
    FactFactory,
    SectionFactory,
    SourceFactory,
    TagFactory,
    TimelineEventFactory,
    TopicFactory,
)

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Kim Il-sung", "kim il sung"),  # case and hyphens
        ("Kim  Il Sung.", "kim il sung"),  # spacing and a final full stop
        ("Pyongyang", "PYÖNGYANG"),  # accents
        ("1950–1953", "1950-1953"),  # en dash
        ("1950—1953", "1950 1953"),  # em dash, then punctuation folds to a space
        ("The Treaty of Nerchinsk", "treaty of nerchinsk"),  # a leading article
        ("a treaty", "Treaty"),
        ("An agreement", "agreement"),
        ("17 km", "17 KM"),
    ],
)
def test_normalise_folds_spellings_that_mean_the_same(a, b):
    """Case, accents, dashes, punctuation and a leading article do not make a new answer."""
    assert normalise(a) == normalise(b)


def test_normalise_keeps_decimal_points_and_inner_articles():
    """17.5 is not 175, and only a leading article goes."""
    assert normalise("17.5") == "17.5"
    assert normalise("17.5") != normalise("175")
    assert normalise("Battle of the Bulge") == "battle of the bulge"
    assert normalise("Theodore") == "theodore"


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1689", 1689.0),
        ("17.5", 17.5),
        ("3,000,000", 3_000_000.0),
        (" -44 ", -44.0),
        ("about 17", None),
        ("", None),
    ],
)
def test_numeric_value_reads_plain_numbers_only(text, value):
    """Digits with thousands commas and a decimal part are numbers; anything else is not."""
    assert numeric_value(text) == value


def test_distinct_values_keeps_the_first_spelling():
    """Spellings that normalise alike count once, written as they first came."""
    assert distinct_values(["Kim Il-sung", "kim il sung", "Kim Jong-il"]) == ["Kim Il-sung", "Kim Jong-il"]
    assert distinct_values([]) == []


def test_refresh_disputed_follows_the_citations():
    """Two different values make a fact disputed; agreeing values, blank ones, or one source do not."""
    fact = FactFactory(answer="17")
    CitationFactory(fact=fact, value="17")
    CitationFactory(fact=fact, value="")

    assert fact.refresh_disputed() is False

    CitationFactory(fact=fact, value="19")

    assert fact.refresh_disputed() is True
    fact.refresh_from_db()
    assert fact.disputed is True

    fact.citations.filter(value="19").update(value=" 17. ")

    assert fact.refresh_disputed() is False
    fact.refresh_from_db()
    assert fact.disputed is False


def test_refresh_disputed_on_given_citations_of_an_unsaved_fact():
    """Citations can be passed in (the importer does) and an unsaved fact is not written."""
    fact = Fact(answer="1689")

    assert fact.refresh_disputed([Citation(value="1689"), Citation(value="1690")]) is True
    assert fact.disputed is True
    assert fact.pk is None


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"year": 1950, "month": 2, "day": 30}, "day"),
        ({"year": 1951, "month": 2, "day": 29}, "day"),
        ({"year": 1950, "month": None, "day": 5}, "day"),
        ({"year": 1953, "end_year": 1950}, "end_year"),
    ],
)
def test_event_clean_refuses_impossible_dates(fields, field):
    """No 30 February, no 29 February in a common year, no day without a month, no end before start."""
    event = TimelineEventFactory.build(topic=TopicFactory(), **fields)

    with pytest.raises(ValidationError) as caught:
        event.clean()

    assert field in caught.value.message_dict


def test_event_clean_accepts_real_dates():
    """A leap day in a leap year and a period ending the year it starts are fine."""
    TimelineEventFactory.build(year=1952, month=2, day=29).clean()
    TimelineEventFactory.build(year=1950, end_year=1950).clean()


@pytest.mark.parametrize(
    ("fields", "label", "precision"),
    [
        ({"year": 1689}, "1689", "year"),
        ({"year": 1945, "month": 8}, "August 1945", "month"),
        ({"year": 1950, "month": 6, "day": 25}, "25 June 1950", "day"),
        ({"year": 1950, "end_year": 1953}, "1950–1953", "year"),
        ({"year": 1950, "month": 6, "day": 25, "end_year": 1953}, "25 June 1950–1953", "day"),
        ({"year": 1950, "end_year": 1950}, "1950", "year"),
    ],
)
def test_event_date_label_and_precision(fields, label, precision):
    """The label says no more than is known; a period reads as a range."""
    event = TimelineEvent(**fields)

    assert event.date_label == label
    assert event.precision == precision


def test_event_day_without_month_is_refused_by_the_database():
    """The check constraint backs up clean() for rows written outside forms."""
    with pytest.raises(IntegrityError), transaction.atomic():
        TimelineEventFactory(month=None, day=3)


def test_citation_must_cite_exactly_one_thing():
    """A citation of nothing, or of two things at once, is refused by the database."""
    fact = FactFactory()
    source = SourceFactory(topic=fact.topic)
    section = SectionFactory(topic=fact.topic)

    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source)
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, fact=fact, section=section)
    with pytest.raises(IntegrityError), transaction.atomic():
        Citation.objects.create(source=source, topic=fact.topic, event=TimelineEventFactory(topic=fact.topic))

    Citation.objects.create(source=source, section=section)
    assert Citation.objects.count() == 1


def test_absolute_urls_point_at_the_pages_and_anchors():
    """Topics and tags have pages; a section is an anchor on its dossier page."""
    topic = TopicFactory(slug="nk-russia")
    section = SectionFactory(topic=topic, slug="imperial")

    assert topic.get_absolute_url() == "/dossiers/nk-russia/"
    assert TagFactory(slug="borders").get_absolute_url() == "/tags/borders/"
    assert section.get_absolute_url() == "/dossiers/nk-russia/#section-imperial"
    assert str(section) == f"{topic.title} in the context of {section.context}"
    assert TimelineEventFactory(topic=topic, slug="war").anchor == "event-war"


def test_fact_clean_wants_a_number_for_numeric_kinds():
    """A year or number fact with a non-numeric answer is refused."""
    with pytest.raises(ValidationError):
        FactFactory.build(kind=Fact.Kind.YEAR, answer="the late 1680s").clean()
    FactFactory.build(kind=Fact.Kind.NUMBER, answer="3,000").clean()


def test_fact_answer_display_and_names():
    """The unit follows the answer; names fold the answer and its aliases."""
    fact = Fact(answer="17", unit="km", aliases=["Seventeen"])

    assert fact.answer_display == "17 km"
    assert fact.names() == {"17", "seventeen"}


def test_published_and_fact_querysets():
    """published() hides drafts; settled() and disputed_only() split the facts."""
    draft = TopicFactory(published=False)
    live = TopicFactory()
    settled = FactFactory(topic=live)
    disputed = FactFactory(topic=live)
    source = SourceFactory(topic=live)
    CitationFactory(source=source, fact=disputed, value="1")
    CitationFactory(source=source, fact=disputed, value="2")
    disputed.refresh_disputed()

    assert draft not in Topic.objects.published()
    assert list(Topic.objects.published()) == [live]
    assert list(Fact.objects.settled()) == [settled]
    assert list(Fact.objects.disputed_only()) == [disputed]


@pytest.mark.parametrize(
    ("date", "precision", "label", "iso"),
    [
        (datetime.date(2010, 1, 1), "year", "2010", "2010"),
        (datetime.date(2010, 6, 1), "month", "June 2010", "2010-06"),
        (datetime.date(2020, 11, 24), "day", "24 November 2020", "2020-11-24"),
        (datetime.date(2010, 1, 1), "day", "1 January 2010", "2010-01-01"),
        (datetime.date(987, 3, 1), "month", "March 987", "0987-03"),
        (None, "day", "", ""),
        (None, "year", "", ""),
    ],
)
def test_source_date_label_and_iso_follow_the_precision(date, precision, label, iso):
    """A source's date reads no more precisely than it is known; without a date, nothing."""
    source = Source(date=date, date_precision=precision)

    assert source.date_label == label
    assert source.date_iso == iso


@pytest.mark.parametrize(
    ("precision", "stored"),
    [
        ("year", datetime.date(2019, 1, 1)),
        ("month", datetime.date(2019, 4, 1)),
        ("day", datetime.date(2019, 4, 25)),
    ],
)
def test_source_clean_stores_a_year_or_a_month_as_its_first_day(precision, stored):
    """A date given more precisely than its precision is cut back, as the importer stores it."""
    source = SourceFactory.build(
        topic=TopicFactory(), date=datetime.date(2019, 4, 25), date_precision=precision
    )

    source.clean()

    assert source.date == stored


def test_source_date_precision_defaults_to_a_full_date():
    """A date typed in without a precision is a full date."""
    assert SourceFactory(date=datetime.date(2019, 4, 25)).date_precision == Source.Precision.DAY


def test_source_unknown_precision_is_refused_by_the_database():
    """The check constraint keeps out a precision the labels and the exporter do not know."""
    with pytest.raises(IntegrityError), transaction.atomic():
        SourceFactory(date=datetime.date(2019, 4, 25), date_precision="week")

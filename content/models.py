"""The study material: dossiers (topics), their passages, timeline, facts and sources.

Every claim is traceable: a :class:`Citation` ties a source to a fact, a section, an
event or a topic's core definition, and for a fact it records the value *that source*
gives. When the sources give different values, the fact is disputed
(:attr:`Fact.disputed`), and every value is kept with who gives it.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, ClassVar

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.urls import reverse
from django.utils import timezone

if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any


def normalise(text: str) -> str:
    """Fold an answer for comparison: case, accents, punctuation, spacing.

    "Kim Il-sung", "kim il sung" and "Kim  Il Sung." all normalise alike; so do
    "17 km" and "17 KM". Used wherever two options must not mean the same thing.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("–", "-").replace("—", "-")
    text = re.sub(r"[^\w\s.]", " ", text)
    text = re.sub(r"(?<!\d)\.|\.(?!\d)", " ", text)  # keep decimal points only
    text = re.sub(r"^(the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


class Tag(models.Model):
    """A theme that cuts across dossiers: treaties, borders, famine, leaders..."""

    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=80)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tag_detail", args=[self.slug])


#: How long a dossier page's stamp (:meth:`TopicQuerySet.page_stamp`) is trusted without
#: reading the database: the longest a change made on another app server takes to show.
PAGE_STAMP_SECONDS = 2


def _page_stamp_key(slug: str) -> str:
    return f"dossier-stamp:{slug}"


def forget_page_stamps(slugs: Iterable[str]) -> None:
    cache.delete_many([_page_stamp_key(slug) for slug in slugs])


def count_per_topic(model: type[models.Model], **filters: object) -> Coalesce:
    """A correlated COUNT subquery: no join fan-out when several counts sit on one row."""
    rows = (
        model._default_manager.filter(topic=OuterRef("pk"), **filters)
        .order_by()
        .values("topic")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=models.IntegerField()), 0)


class TopicQuerySet(models.QuerySet["Topic"]):
    def published(self) -> TopicQuerySet:
        return self.filter(published=True)

    def touch(self) -> int:
        """Mark these dossiers as changed: their cached pages are rendered anew."""
        forget_page_stamps(self.values_list("slug", flat=True))
        return self.update(updated_at=timezone.now())

    def page_stamp(self, slug: str) -> Topic | None:
        """The published dossier ``slug`` as its page needs it (title, summary, stamp), or None.

        Read through the cache for :data:`PAGE_STAMP_SECONDS`: a class opening the page
        at once reads the row once per app process, not once per student (on PostgreSQL
        that query and its connection check were a third of a warm page's time; make
        bench's dossier/bare went from 0.15 to 0.2 without them). Every change made
        through the app (an admin edit, an import, :meth:`touch`, a topic's save or
        delete) forgets the stamp at once in the process that made it; another process
        or server with its own memory cache sees the change within the lifetime. With a
        cache the servers share (a shared backend in ``CACHES``), at once. A slug that matches no
        dossier is not cached (it costs a query, as before, and cannot fill the cache).
        """
        key = _page_stamp_key(slug)
        topic = cache.get(key)
        if topic is None:
            fields = ("pk", "slug", "title", "summary", "updated_at")
            topic = self.published().filter(slug=slug).only(*fields).first()
            if topic is not None:
                cache.set(key, topic, PAGE_STAMP_SECONDS)
        return topic

    def with_counts(self) -> TopicQuerySet:
        """Each topic with ``section_count``, ``event_count``, ``fact_count`` and
        ``disputed_count``, as subqueries in the same query."""
        return self.annotate(
            section_count=count_per_topic(Section),
            event_count=count_per_topic(TimelineEvent),
            fact_count=count_per_topic(Fact),
            disputed_count=count_per_topic(Fact, disputed=True),
        )


class Topic(models.Model):
    """A dossier's subject, e.g. "North Korea–Russia relations"."""

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=300, blank=True, help_text="One line for the home page.")
    definition = models.TextField(help_text="The core definition; paragraphs separated by blank lines.")
    published = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        forget_page_stamps([self.slug])

    def get_absolute_url(self) -> str:
        return reverse("topic_detail", args=[self.slug])


@receiver(post_delete, sender=Topic)
def _forget_deleted_topic(sender: type[Topic], instance: Topic, **kwargs: Any) -> None:
    """A deleted dossier's page is a 404 at once (a QuerySet's delete calls no ``delete()``)."""
    forget_page_stamps([instance.slug])


class Source(models.Model):
    """A document the dossier draws on. Sources belong to one dossier file.

    A source's date is as precise as its author gives it: "2010", "2012-03" or
    "2019-04-25". It is kept as one real ``date``, stored as the first day of its year or
    month when only that is known, plus ``date_precision``, which says how much of it is
    known. Nullable year/month/day columns, as :class:`TimelineEvent` has, would keep the
    precision too, but a source is a publication with a calendar date: one date column
    keeps it sortable, filterable and edited with the admin's date picker, and the rows
    written before the precision existed keep their dates.
    """

    class Precision(models.TextChoices):
        YEAR = "year", "Year only"
        MONTH = "month", "Month and year"
        DAY = "day", "Full date"

    class Kind(models.TextChoices):
        WEB_PAGE = "web_page", "Web page"
        REFERENCE = "reference", "Reference work"
        BOOK = "book", "Book"
        ARTICLE = "article", "Article"
        DOCUMENT = "document", "Primary document"
        OTHER = "other", "Other"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="sources")
    key = models.SlugField(help_text="Short name used by citations in the dossier file.")
    title = models.CharField(max_length=300)
    short_name = models.CharField(
        max_length=200,
        blank=True,
        help_text='How a sentence names it: "the Historical Dictionary of the Russian Federation".',
    )
    publisher = models.CharField(max_length=200, blank=True, help_text="Publisher or containing work.")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    date = models.DateField(null=True, blank=True, help_text="Publication or last-updated date.")
    date_precision = models.CharField(
        "date precision",
        max_length=5,
        choices=Precision.choices,
        default=Precision.DAY,
        help_text="How much of the date is known. A year or a month is stored as its first day.",
    )
    url = models.URLField(blank=True)
    note = models.TextField(blank=True, help_text="What this source is and what it contributes.")
    order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["topic", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="source_key_unique_per_topic"),
            models.CheckConstraint(
                condition=Q(date_precision__in=["year", "month", "day"]), name="source_date_precision_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def date_iso(self) -> str:
        """The date as precise as it is known: "2010", "2012-03", "2019-04-25"; "" without one.

        What the dossier file says, and a valid ``<time datetime>``.
        """
        if self.date is None:
            return ""
        if self.date_precision == self.Precision.YEAR:
            return f"{self.date.year:04d}"
        if self.date_precision == self.Precision.MONTH:
            return f"{self.date.year:04d}-{self.date.month:02d}"
        return self.date.isoformat()

    @property
    def citation_name(self) -> str:
        """The source as a sentence names it, with its year: "the Historical Dictionary of the
        Russian Federation (2010)"; the title when it has no short name."""
        name = self.short_name.strip() or self.title
        return f"{name} ({self.date.year})" if self.date else name

    @property
    def date_label(self) -> str:
        """The date for a reader: "2010", "March 2012", "25 April 2019"; "" without one."""
        import calendar

        if self.date is None:
            return ""
        if self.date_precision == self.Precision.YEAR:
            return str(self.date.year)
        if self.date_precision == self.Precision.MONTH:
            return f"{calendar.month_name[self.date.month]} {self.date.year}"
        return f"{self.date.day} {calendar.month_name[self.date.month]} {self.date.year}"

    def clean(self) -> None:
        # A date the admin gives more precisely than its precision is cut to the first day of
        # its year or month, as the importer stores it, so equal dates compare equal.
        if self.date is not None and self.date_precision == self.Precision.YEAR:
            self.date = self.date.replace(month=1, day=1)
        elif self.date is not None and self.date_precision == self.Precision.MONTH:
            self.date = self.date.replace(day=1)


class Section(models.Model):
    """A passage: "<Topic> in the context of <context>"."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="sections")
    slug = models.SlugField(help_text="The anchor on the dossier page.")
    context = models.CharField(max_length=200, help_text='The X in "Topic in the context of X".')
    body = models.TextField(help_text="Paragraphs separated by blank lines.")
    order = models.PositiveIntegerField(default=0)
    tags = models.ManyToManyField(Tag, blank=True, related_name="sections")

    class Meta:
        ordering = ["topic", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "slug"], name="section_slug_unique_per_topic")
        ]

    def __str__(self) -> str:
        return f"{self.topic.title} in the context of {self.context}"

    def get_absolute_url(self) -> str:
        return f"{reverse('topic_detail', args=[self.topic.slug])}#{self.anchor}"

    @property
    def heading(self) -> str:
        return str(self)

    @property
    def anchor(self) -> str:
        return f"section-{self.slug}"


class TimelineEvent(models.Model):
    """A dated event. ``month`` and ``day`` are optional: the date is as precise as known."""

    class Precision(models.TextChoices):
        YEAR = "year", "Year"
        MONTH = "month", "Month"
        DAY = "day", "Day"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="events")
    slug = models.SlugField()
    year = models.IntegerField()
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    day = models.PositiveSmallIntegerField(null=True, blank=True)
    end_year = models.IntegerField(null=True, blank=True, help_text="For a period: the year it ended.")
    title = models.CharField(max_length=200)
    summary = models.TextField()
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="events"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="events")

    class Meta:
        ordering = ["topic", "year", "month", "day", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "slug"], name="event_slug_unique_per_topic"),
            models.CheckConstraint(
                condition=Q(day__isnull=True) | Q(month__isnull=False), name="event_day_needs_month"
            ),
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="event_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date_label}: {self.title}"

    @property
    def precision(self) -> str:
        if self.day:
            return self.Precision.DAY
        if self.month:
            return self.Precision.MONTH
        return self.Precision.YEAR

    @property
    def sort_key(self) -> tuple[int, int, int]:
        return (self.year, self.month or 0, self.day or 0)

    @property
    def date_label(self) -> str:
        import calendar

        if self.day and self.month:
            label = f"{self.day} {calendar.month_name[self.month]} {self.year}"
        elif self.month:
            label = f"{calendar.month_name[self.month]} {self.year}"
        else:
            label = str(self.year)
        if self.end_year and self.end_year != self.year:
            label = f"{label}–{self.end_year}"
        return label

    @property
    def is_period(self) -> bool:
        return bool(self.end_year and self.end_year != self.year)

    @property
    def start_label(self) -> str:
        """The date label without a period's "–<end year>" (a page marks each end with <time>)."""
        return self.date_label.removesuffix(f"–{self.end_year}")

    @property
    def anchor(self) -> str:
        return f"event-{self.slug}"

    def clean(self) -> None:
        import datetime

        if self.day and not self.month:
            raise ValidationError({"day": "A day needs a month."})
        if self.month and self.day:
            try:
                datetime.date(2000 if self.year < 1 else self.year, self.month, self.day)
            except ValueError as exc:
                raise ValidationError({"day": f"No such date: {exc}."}) from exc
        if self.end_year is not None and self.end_year < self.year:
            raise ValidationError({"end_year": "A period cannot end before it starts."})


class FactQuerySet(models.QuerySet["Fact"]):
    def settled(self) -> FactQuerySet:
        return self.filter(disputed=False)

    def disputed_only(self) -> FactQuerySet:
        return self.filter(disputed=True)


class Fact(models.Model):
    """One askable claim, with its answer, the passage that explains it and its sources."""

    class Kind(models.TextChoices):
        YEAR = "year", "Year"
        DATE = "date", "Date"
        NUMBER = "number", "Number or quantity"
        PERSON = "person", "Person"
        PLACE = "place", "Place"
        ORGANISATION = "organisation", "Organisation"
        TREATY = "treaty", "Treaty or agreement"
        EVENT = "event", "Event"
        TEXT = "text", "Short text"

    NUMERIC_KINDS = frozenset({Kind.YEAR, Kind.NUMBER})

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="facts")
    slug = models.SlugField()
    subject = models.CharField(
        max_length=300,
        help_text='What the claim is about, e.g. "the year the Treaty of Nerchinsk was signed".',
    )
    statement = models.TextField(
        help_text="The claim as one sentence, answer included. Used for explanations and true/false."
    )
    stem = models.CharField(
        max_length=300, blank=True, help_text="Optional question text; otherwise built from the kind."
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    answer = models.CharField(
        max_length=200, help_text="The answer. For a disputed fact, the value most sources give."
    )
    unit = models.CharField(max_length=40, blank=True, help_text='For quantities: "km", "deaths"...')
    aliases = models.JSONField(default=list, blank=True, help_text="Other spellings of the answer.")
    distractors = models.JSONField(
        default=list, blank=True, help_text="Wrong answers written by the author; each certainly wrong."
    )
    answer_class = models.SlugField(
        "answer class",
        max_length=40,
        blank=True,
        help_text='What the answer is, within its kind: "river", "mountain-range", "soviet-leader"... '
        "Other facts' answers are offered as distractors only when their class is the same.",
    )
    era_start = models.IntegerField(
        null=True,
        blank=True,
        help_text="First year of the fact's era (its actors' years); year options stay inside it.",
    )
    era_end = models.IntegerField(null=True, blank=True, help_text="Last year of the fact's era.")
    year = models.IntegerField(null=True, blank=True, help_text="The year the fact belongs to (its era).")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="facts"
    )
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="facts"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="facts")
    explanation = models.TextField(blank=True, help_text="Why the answer is right; shown after answering.")
    disputed = models.BooleanField(
        default=False, editable=False, help_text="Set from the citations: sources give different values."
    )
    dispute_note = models.TextField(blank=True, help_text="How the sources disagree and why it matters.")
    # A random key drawn once: choosing k random facts is an indexed range scan on it,
    # never a full ORDER BY RANDOM() over the bank.
    sample_key = models.FloatField(default=0.0, db_index=True, editable=False)

    objects = FactQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "pk"]
        constraints = [models.UniqueConstraint(fields=["topic", "slug"], name="fact_slug_unique_per_topic")]
        indexes = [
            models.Index(fields=["topic", "kind", "disputed"], name="fact_topic_kind"),
            # The question engine's range scans: a random window of a topic's facts, and of
            # one kind's facts (distractor candidates), both ordered by sample_key.
            models.Index(fields=["topic", "sample_key"], name="fact_topic_sample"),
            models.Index(fields=["topic", "kind", "sample_key"], name="fact_topic_kind_sample"),
            # The dossier page: how many facts are disputed, and the first of them by pk.
            models.Index(fields=["topic", "disputed"], name="fact_topic_disputed"),
            # The timeline's "no disputed date" check probes each event's disputed facts:
            # only those rows, instead of every fact of the event from the heap (on
            # PostgreSQL with 100,000 facts: 8 buffers instead of 253 per quiz).
            models.Index(fields=["event"], condition=models.Q(disputed=True), name="fact_disputed_event"),
        ]

    #: How a fact of each kind is asked when it has no written ``stem``.
    STEM_TEMPLATES: ClassVar[dict[str, str]] = {
        Kind.YEAR: "In which year {subject}?",
        Kind.DATE: "On what date {subject}?",
        Kind.NUMBER: "How many {unit} {subject}?",
        Kind.PERSON: "Who {subject}?",
        Kind.PLACE: "Where {subject}?",
        Kind.ORGANISATION: "Which organisation {subject}?",
        Kind.TREATY: "Which treaty or agreement {subject}?",
        Kind.EVENT: "Which event {subject}?",
    }

    def __str__(self) -> str:
        return f"{self.subject}: {self.answer}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.sample_key:
            import random

            self.sample_key = random.random() or 0.5
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        """Where the fact is explained: its passage, else its timeline event, else its dossier.

        Reads ``topic``, ``section`` and ``event``: select them with the fact.
        """
        if self.section is not None:
            return f"{self.topic.get_absolute_url()}#{self.section.anchor}"
        if self.event is not None:
            return f"{self.topic.get_absolute_url()}#{self.event.anchor}"
        if self.disputed:
            # The dossier page lists only the first disputed facts unless asked for all.
            return f"{self.topic.get_absolute_url()}?disputed=all#fact-{self.slug}"
        return self.topic.get_absolute_url()

    def question_text(self) -> str | None:
        """The question this fact answers: its own ``stem``, else its kind's template around
        ``subject``; None for a kind that needs a written stem and has none."""
        if self.stem.strip():
            return self.stem.strip()
        template = self.STEM_TEMPLATES.get(self.kind)
        if template is None:
            return None
        subject = self.subject.strip().rstrip("?").strip()
        return re.sub(r"\s+", " ", template.format(subject=subject, unit=self.unit.strip()))

    @property
    def heading(self) -> str:
        """The fact as the study pages head it: its question, else its subject."""
        return self.question_text() or self.subject[:1].upper() + self.subject[1:]

    def clean(self) -> None:
        if self.kind in self.NUMERIC_KINDS and self.answer and numeric_value(self.answer) is None:
            raise ValidationError({"answer": f"A {self.get_kind_display().lower()} answer must be a number."})

    @property
    def answer_display(self) -> str:
        return f"{self.answer} {self.unit}".strip() if self.unit else self.answer

    def names(self) -> set[str]:
        """Every normalised way of writing the answer."""
        return {normalise(self.answer), *(normalise(a) for a in self.aliases or [])}

    def refresh_disputed(self, citations: Iterable[Citation] | None = None) -> bool:
        """Recompute :attr:`disputed` from the citations' values; save if it changed."""
        if citations is None:
            citations = self.citations.all()
        disputed = len(distinct_values(c.value for c in citations if c.value)) > 1
        if disputed != self.disputed:
            self.disputed = disputed
            if self.pk:
                Fact.objects.filter(pk=self.pk).update(disputed=disputed)
        return disputed


def numeric_value(text: str) -> float | None:
    """The number in an answer such as "1689", "17.5" or "3,000,000"; None if there is none."""
    match = re.fullmatch(r"\s*(-?\d[\d,]*(?:\.\d+)?)\s*", text or "")
    if not match:
        return None
    return float(match.group(1).replace(",", ""))


def distinct_values(values: Iterable[str]) -> list[str]:
    """The values, first spelling kept, with spellings that normalise alike folded together."""
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(normalise(value), value)
    return list(seen.values())


class Citation(models.Model):
    """A source supports a fact, a section, an event, or a topic's core definition.

    For a fact, ``value`` is the answer as *this* source gives it; citations of one
    fact with different values make the fact disputed.
    """

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="citations")
    fact = models.ForeignKey(Fact, null=True, blank=True, on_delete=models.CASCADE, related_name="citations")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    event = models.ForeignKey(
        TimelineEvent, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.CASCADE, related_name="definition_citations"
    )
    value = models.CharField(max_length=200, blank=True, help_text="The value this source gives (facts).")
    locator = models.CharField(
        max_length=200, blank=True, help_text="Where in the source: heading, paragraph."
    )
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["pk"]
        indexes = [
            # The dossier page counts the facts each source is cited for: an index-only scan.
            models.Index(fields=["source", "fact"], name="citation_source_fact"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(fact__isnull=False, section__isnull=True, event__isnull=True, topic__isnull=True)
                    | Q(fact__isnull=True, section__isnull=False, event__isnull=True, topic__isnull=True)
                    | Q(fact__isnull=True, section__isnull=True, event__isnull=False, topic__isnull=True)
                    | Q(fact__isnull=True, section__isnull=True, event__isnull=True, topic__isnull=False)
                ),
                name="citation_cites_exactly_one_thing",
            ),
        ]

    def __str__(self) -> str:
        target = self.fact or self.section or self.event or self.topic
        suffix = f" = {self.value}" if self.value else ""
        return f"{self.source.title} → {target}{suffix}"

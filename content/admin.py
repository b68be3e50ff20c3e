"""The content admin: where editors fix a dossier between imports.

Citations are edited inline on what they cite. ``Fact.disputed`` is never typed in: it is
recomputed from the citations whenever a fact or a citation is saved or deleted here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypedDict

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.utils.html import format_html

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic

if TYPE_CHECKING:
    from collections.abc import Iterable

    from django.db.models import QuerySet
    from django.forms import BaseFormSet, ModelForm
    from django.http import HttpRequest
    from django_stubs_ext import WithAnnotations


def topics_of(objects: Iterable[models.Model]) -> set[int]:
    """The dossiers whose page shows these rows (a tag: every dossier using it)."""
    ids: set[int] = set()
    for obj in objects:
        if isinstance(obj, Topic):
            ids.add(obj.pk)
        elif isinstance(obj, Section | TimelineEvent | Fact | Source):
            ids.add(obj.topic_id)
        elif isinstance(obj, Citation):
            ids.add(obj.source.topic_id)
        elif isinstance(obj, Tag):
            ids |= set(
                Topic.objects.filter(
                    models.Q(sections__tags=obj) | models.Q(events__tags=obj) | models.Q(facts__tags=obj)
                ).values_list("pk", flat=True)
            )
    return ids


class TouchesDossiers(admin.ModelAdmin):
    """Every save or delete here marks the dossiers it shows on as changed
    (``Topic.updated_at``), so their cached pages are rendered anew (content.views)."""

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: list[BaseFormSet[Any]], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        Topic.objects.filter(pk__in=topics_of([form.instance])).touch()

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        topics = topics_of([obj])
        super().delete_model(request, obj)
        Topic.objects.filter(pk__in=topics).touch()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        topics = topics_of(queryset)
        super().delete_queryset(request, queryset)
        Topic.objects.filter(pk__in=topics).touch()


class _TagCounts(TypedDict):
    n_sections: int
    n_facts: int


class _CitationInline(admin.TabularInline):
    model = Citation
    extra = 0
    autocomplete_fields = ["source"]
    fields = ["source", "locator", "note"]
    # A one-line note keeps the tabular inline readable; notes are short in practice.
    formfield_overrides = {models.TextField: {"widget": forms.TextInput(attrs={"size": 24})}}


class FactCitationInline(_CitationInline):
    fk_name = "fact"
    fields = ["source", "value", "locator", "note"]
    extra = 1


class SectionCitationInline(_CitationInline):
    fk_name = "section"


class EventCitationInline(_CitationInline):
    fk_name = "event"


class DefinitionCitationInline(_CitationInline):
    fk_name = "topic"
    verbose_name = "citation of the core definition"
    verbose_name_plural = "citations of the core definition"


@admin.register(Tag)
class TagAdmin(TouchesDossiers):
    list_display = ["name", "slug", "section_count", "fact_count"]
    search_fields = ["name", "slug", "description"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request: HttpRequest) -> QuerySet[Tag]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                n_sections=Count("sections", distinct=True),
                n_facts=Count("facts", distinct=True),
            )
        )

    @admin.display(description="Sections", ordering="n_sections")
    def section_count(self, tag: WithAnnotations[Tag, _TagCounts]) -> int:
        return tag.n_sections

    @admin.display(description="Facts", ordering="n_facts")
    def fact_count(self, tag: WithAnnotations[Tag, _TagCounts]) -> int:
        return tag.n_facts


@admin.register(Topic)
class TopicAdmin(TouchesDossiers):
    list_display = ["title", "slug", "published", "updated_at"]
    list_filter = ["published"]
    search_fields = ["title", "slug", "summary", "definition"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [DefinitionCitationInline]


@admin.register(Source)
class SourceAdmin(TouchesDossiers):
    list_display = ["title", "key", "kind", "publisher", "date_label", "topic"]
    list_filter = ["topic", "kind"]
    list_select_related = ["topic"]
    search_fields = ["title", "key", "publisher", "note", "url"]
    autocomplete_fields = ["topic"]
    # The precision sits beside the date: together they say what is known.
    fields = [
        "topic",
        "key",
        "title",
        "publisher",
        "kind",
        ("date", "date_precision"),
        "url",
        "note",
        "order",
    ]

    @admin.display(description="Date", ordering="date")
    def date_label(self, source: Source) -> str | None:
        return source.date_label or None  # None shows the admin's empty-value mark


@admin.register(Section)
class SectionAdmin(TouchesDossiers):
    list_display = ["context", "topic", "order", "slug"]
    list_filter = ["topic", "tags"]
    list_select_related = ["topic"]
    search_fields = ["context", "body", "slug", "topic__title"]
    autocomplete_fields = ["topic", "tags"]
    inlines = [SectionCitationInline]


@admin.register(TimelineEvent)
class TimelineEventAdmin(TouchesDossiers):
    list_display = ["title", "date_label", "topic", "section"]
    list_filter = ["topic", "tags"]
    list_select_related = ["topic", "section__topic"]
    search_fields = ["title", "summary", "slug"]
    autocomplete_fields = ["topic", "section", "tags"]
    inlines = [EventCitationInline]

    @admin.display(description="Date", ordering="year")
    def date_label(self, event: TimelineEvent) -> str:
        return event.date_label


@admin.register(Fact)
class FactAdmin(TouchesDossiers):
    list_display = ["subject", "answer", "kind", "topic", "disputed_badge"]
    list_filter = ["topic", "tags", "kind", "disputed"]
    list_select_related = ["topic"]
    search_fields = ["subject", "statement", "answer", "slug"]
    autocomplete_fields = ["topic", "section", "event", "tags"]
    readonly_fields = ["disputed"]
    inlines = [FactCitationInline]
    fieldsets = [
        (None, {"fields": ["topic", "slug", "kind", "subject", "stem", "statement"]}),
        ("Answer", {"fields": ["answer", "unit", "aliases", "distractors", "year", "explanation"]}),
        ("Where it belongs", {"fields": ["section", "event", "tags"]}),
        ("Dispute", {"fields": ["disputed", "dispute_note"]}),
    ]

    @admin.display(description="Disputed", ordering="disputed")
    def disputed_badge(self, fact: Fact) -> str:
        if fact.disputed:
            return format_html("<strong>{}</strong>", "⚠ Sources disagree")
        return "—"

    def save_related(
        self, request: HttpRequest, form: ModelForm[Fact], formsets: list[BaseFormSet[Any]], change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        form.instance.refresh_disputed()


def _refresh_facts(fact_ids: Iterable[int | None]) -> None:
    for fact in Fact.objects.filter(pk__in={pk for pk in fact_ids if pk}):
        fact.refresh_disputed()


@admin.register(Citation)
class CitationAdmin(TouchesDossiers):
    list_display = ["source", "cites", "value", "locator"]
    list_filter = ["source__topic"]
    list_select_related = ["source", "fact", "section__topic", "event", "topic"]
    search_fields = ["value", "locator", "note", "source__title", "fact__subject"]
    autocomplete_fields = ["source", "fact", "section", "event", "topic"]

    @admin.display(description="Cites")
    def cites(self, citation: Citation) -> str:
        target = citation.fact or citation.section or citation.event or citation.topic
        return str(target)

    def save_model(self, request: HttpRequest, obj: Citation, form: ModelForm, change: bool) -> None:
        before = (
            Citation.objects.filter(pk=obj.pk).values_list("fact_id", flat=True).first() if change else None
        )
        super().save_model(request, obj, form, change)
        _refresh_facts({before, obj.fact_id})

    def delete_model(self, request: HttpRequest, obj: Citation) -> None:
        fact_id = obj.fact_id
        super().delete_model(request, obj)
        _refresh_facts({fact_id})

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Citation]) -> None:
        fact_ids = set(queryset.values_list("fact_id", flat=True))
        super().delete_queryset(request, queryset)
        _refresh_facts(fact_ids)

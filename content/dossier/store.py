"""Writing a checked dossier to the database, in one transaction.

Rows are matched by their natural keys: the topic by slug; its sources by key; its
sections, events and facts by slug within the topic; tags by their global slug. Matched
rows are updated in place (their pks, and so links from quizzes and attempts, survive),
new ones are created, and the topic's rows the file no longer lists are deleted. Tags
are shared between topics, so they are created and updated but never deleted here.

Citations and tag links carry no identity of their own: they are replaced wholesale.
The query count does not grow with the size of the dossier, except for one UPDATE per
fact whose ``disputed`` flag changes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any, cast

from django.db import models, transaction
from django.db.models import Q

from content.dossier.data import CitationData, DossierData, ImportSummary
from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic


@transaction.atomic
def import_dossier(data: DossierData) -> ImportSummary:
    """Create or update the dossier's topic and everything in it; see the module docstring."""
    topic, created = Topic.objects.update_or_create(
        slug=data.topic.slug,
        defaults={
            "title": data.topic.title,
            "summary": data.topic.summary,
            "definition": data.topic.definition,
        },
    )
    tags = _sync_tags(data)
    removed: list[int] = []
    sources = _sync(
        topic,
        Source,
        "key",
        [
            {
                "key": s.key,
                "title": s.title,
                "short_name": s.short_name,
                "publisher": s.publisher,
                "kind": s.kind,
                "date": s.date,
            }
            | {"date_precision": s.date_precision, "url": s.url, "note": s.note, "order": order}
            for order, s in enumerate(data.sources)
        ],
        removed,
    )
    sections = _sync(
        topic,
        Section,
        "slug",
        [
            {"slug": s.slug, "context": s.context, "body": s.body, "order": n}
            for n, s in enumerate(data.sections)
        ],
        removed,
    )
    events = _sync(
        topic,
        TimelineEvent,
        "slug",
        [
            {"slug": e.slug, "year": e.year, "month": e.month, "day": e.day, "end_year": e.end_year}
            | {"title": e.title, "summary": e.summary, "section": sections.get(e.section)}
            for e in data.events
        ],
        removed,
    )
    facts = _sync(
        topic,
        Fact,
        "slug",
        [
            {"slug": f.slug, "subject": f.subject, "statement": f.statement, "stem": f.stem, "kind": f.kind}
            | {"answer": f.answer, "unit": f.unit, "aliases": list(f.aliases), "year": f.year}
            | {"distractors": list(f.distractors), "answer_class": f.answer_class}
            | {"era_start": f.era_start, "era_end": f.era_end}
            | {"section": sections.get(f.section), "event": events.get(f.event)}
            | {"explanation": f.explanation, "dispute_note": f.dispute}
            for f in data.facts
        ],
        removed,
    )

    _replace_tag_links(Section, sections, {s.slug: s.tags for s in data.sections}, tags)
    _replace_tag_links(TimelineEvent, events, {e.slug: e.tags for e in data.events}, tags)
    _replace_tag_links(Fact, facts, {f.slug: f.tags for f in data.facts}, tags)

    Citation.objects.filter(
        Q(topic=topic) | Q(section__topic=topic) | Q(event__topic=topic) | Q(fact__topic=topic)
    ).delete()
    citations: list[Citation] = []
    citations += _citations(data.topic.cite, sources, topic=topic)
    for section in data.sections:
        citations += _citations(section.cite, sources, section=sections[section.slug])
    for event in data.events:
        citations += _citations(event.cite, sources, event=events[event.slug])
    by_fact: dict[str, list[Citation]] = {}
    for fact in data.facts:
        by_fact[fact.slug] = _citations(fact.cite, sources, fact=facts[fact.slug])
        citations += by_fact[fact.slug]
    Citation.objects.bulk_create(citations)

    disputed = sum(facts[slug].refresh_disputed(cites) for slug, cites in by_fact.items())
    return ImportSummary(
        topic=topic.slug,
        sections=len(sections),
        events=len(events),
        facts=len(facts),
        disputed=disputed,
        sources=len(sources),
        tags=len(data.tags),
        created=created,
        removed=sum(removed),
    )


def _sync_tags(data: DossierData) -> dict[str, Tag]:
    existing = Tag.objects.in_bulk([t.slug for t in data.tags], field_name="slug")
    changed: list[Tag] = []
    new: list[Tag] = []
    for item in data.tags:
        tag = existing.get(item.slug)
        if tag is None:
            new.append(Tag(slug=item.slug, name=item.name, description=item.description))
        elif (tag.name, tag.description) != (item.name, item.description):
            tag.name, tag.description = item.name, item.description
            changed.append(tag)
    Tag.objects.bulk_create(new)
    Tag.objects.bulk_update(changed, ["name", "description"])
    return {**existing, **{t.slug: t for t in new}}


def _sync[M: models.Model](
    topic: Topic, model: type[M], key: str, rows: Sequence[dict[str, Any]], removed: list[int]
) -> dict[str, M]:
    """Make the topic's ``model`` rows exactly ``rows`` (matched on ``key``); return them by key.

    Appends to ``removed`` how many rows were deleted because ``rows`` no longer has them.
    """
    fields = [name for name in rows[0] if name != key] if rows else []
    existing: dict[str, M] = {getattr(obj, key): obj for obj in model._default_manager.filter(topic=topic)}
    wanted = {row[key] for row in rows}
    gone = [obj.pk for k, obj in existing.items() if k not in wanted]
    if gone:
        model._default_manager.filter(pk__in=gone).delete()
    objects: dict[str, M] = {}
    new: list[M] = []
    changed: list[M] = []
    for row in rows:
        obj = existing.get(row[key])
        if obj is None:
            obj = model(topic=topic, **row)
            if isinstance(obj, Fact):
                # bulk_create skips Fact.save(), which draws the sampling key. A dossier's key
                # is drawn from its slugs instead: every import of a file samples alike, so
                # quizzes of a seed are the same on every machine (and in the tests).
                obj.sample_key = random.Random(f"{topic.slug}/{obj.slug}").random() or 0.5
            new.append(obj)
        elif any(_differs(obj, name, row[name]) for name in fields):
            for name in fields:
                setattr(obj, name, row[name])
            changed.append(obj)
        objects[row[key]] = obj
    model._default_manager.bulk_create(new)
    if changed:
        model._default_manager.bulk_update(changed, fields)
    removed.append(len(gone))
    return objects


def _differs(obj: models.Model, name: str, wanted: object) -> bool:
    # ``name`` is a column's: get_field gives a Field, never the reverse relation it may give.
    field = cast("models.Field[Any, Any]", obj._meta.get_field(name))
    if field.is_relation:  # compare ids: reading the relation would cost a query per row
        return getattr(obj, field.attname) != getattr(wanted, "pk", None)
    return getattr(obj, name) != wanted


def _replace_tag_links(
    model: type[Section | TimelineEvent | Fact],
    objects: dict[str, Any],
    tags_by_slug: dict[str, list[str]],
    tags: dict[str, Tag],
) -> None:
    through: type[models.Model] = model.tags.through
    owner = f"{model._meta.model_name}_id"
    through._default_manager.filter(**{f"{owner}__in": [obj.pk for obj in objects.values()]}).delete()
    through._default_manager.bulk_create(
        through(**{owner: objects[slug].pk, "tag_id": tags[tag].pk})
        for slug, tag_slugs in tags_by_slug.items()
        for tag in tag_slugs
    )


def _citations(cites: list[CitationData], sources: dict[str, Source], **target: Any) -> list[Citation]:
    return [
        Citation(source=sources[c.source], value=c.value, locator=c.locator, note=c.note, **target)
        for c in cites
    ]

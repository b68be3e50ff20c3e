"""Reading and checking a dossier file (docs/dossier-format.md).

The file is composed into PyYAML's node tree (never constructed), and the tree is walked
by hand. That way every value keeps its line, and no implicit resolver turns
``1950-06-25`` into a date or ``1689`` into an int behind our back: a scalar is taken as
its source text and parsed here, so an unquoted date or number works, and a bad one gets
a clear message instead of a silent surprise.

The walk never stops at the first problem. It collects every problem in the file, so an
author fixes them all in one go; :func:`load_dossier` then raises one
:class:`DossierError` carrying them in line order.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import yaml
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from content.answers import parse_partial_date
from content.dossier.data import (
    CitationData,
    DossierData,
    DossierError,
    DossierProblem,
    EventData,
    FactData,
    SectionData,
    SourceData,
    TagData,
    TopicData,
)
from content.models import (
    Citation,
    Fact,
    Section,
    Source,
    Tag,
    TimelineEvent,
    Topic,
    distinct_values,
    normalise,
    numeric_value,
)

FORMAT_VERSION = "1"

# Stricter than Django's slug: no underscores, no capitals, no hyphen at either end.
SLUG_RE = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
DATE_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
YEAR_RE = re.compile(r"-?\d{1,4}")
NULL_TAG = "tag:yaml.org,2002:null"
# libyaml's safe loader builds the same node tree, with the same marks, ~15x faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

FACT_KINDS = [kind.value for kind in Fact.Kind]
#: A text answer has no siblings to compare with: the author writes its wrong answers.
TEXT_DISTRACTORS = 3
SOURCE_KINDS = [kind.value for kind in Source.Kind]

# Keys in the order the spec (and the exporter) lists them. Required keys first.
ROOT_KEYS = (("format", "topic", "sources"), ("tags", "sections", "events", "facts"))
TOPIC_KEYS = (("slug", "title", "definition"), ("summary", "cite"))
SOURCE_KEYS = (("key", "title"), ("short_name", "publisher", "kind", "date", "url", "note"))
TAG_KEYS = (("slug", "name"), ("description",))
SECTION_KEYS = (("slug", "context", "body"), ("tags", "cite"))
EVENT_KEYS = (("slug", "date", "title", "summary"), ("end", "section", "tags", "cite"))
FACT_KEYS = (
    ("slug", "kind", "subject", "statement", "answer", "tags", "cite"),
    (
        "stem",
        "unit",
        "aliases",
        "distractors",
        "class",
        "year",
        "era",
        "section",
        "event",
        "explanation",
        "dispute",
    ),
)
ERA_RE = re.compile(r"(-?\d{1,4})(?:\s*[-–]\s*(-?\d{1,4}))?")
CITE_KEYS = (("source",), ("locator", "note"))
FACT_CITE_KEYS = (("source",), ("value", "locator", "note"))


def load_dossier(path: str | Path) -> DossierData:
    """Read and check the dossier at ``path``; raise :class:`DossierError` listing every problem."""
    label = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise DossierError([DossierProblem(label, 0, "", "no such file")]) from None
    except UnicodeDecodeError as exc:
        raise DossierError([DossierProblem(label, 0, "", f"not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise DossierError([DossierProblem(label, 0, "", f"cannot read the file: {exc.strerror}")]) from None
    return parse_dossier(text, label)


def parse_dossier(text: str, path: str = "<dossier>") -> DossierData:
    """Check dossier ``text``; ``path`` only labels the messages."""
    try:
        root = yaml.compose(text, Loader=SAFE_LOADER)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        what = ", ".join(part for part in (exc.context, exc.problem) if part)
        line = mark.line + 1 if mark else 1
        raise DossierError([DossierProblem(path, line, "", f"YAML syntax error: {what}")]) from None
    except yaml.YAMLError as exc:
        raise DossierError([DossierProblem(path, 1, "", f"YAML syntax error: {exc}")]) from None
    if root is None:
        raise DossierError([DossierProblem(path, 1, "", "the file is empty")])
    reader = _Reader(path)
    data = reader.dossier(root)
    if reader.problems:
        raise DossierError(sorted(reader.problems, key=lambda p: p.line))
    return data


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    # A column's name: get_field gives a Field, never the reverse relation it may also give.
    return cast("models.Field[Any, Any]", model._meta.get_field(name))


def _line(node: Node) -> int:
    return node.start_mark.line + 1


def _describe(node: Node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"'{node.value}'"


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


def _alike(kind: str, a: str, b: str) -> bool:
    """Whether two answers of ``kind`` mean the same: same spelling, or same number for years and numbers."""
    if normalise(a) == normalise(b):
        return True
    if kind not in Fact.NUMERIC_KINDS:
        return False
    number = numeric_value(a)
    return number is not None and number == numeric_value(b)


def _suggest(value: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(value, list(choices), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    """Walks the node tree, building :class:`DossierData` and collecting problems."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[DossierProblem] = []
        # slug -> line of its definition, per list
        self.sources: dict[str, int] = {}
        self.tags: dict[str, int] = {}
        self.sections: dict[str, int] = {}
        self.events: dict[str, int] = {}
        self.facts: dict[str, int] = {}

    def problem(self, node: Node, field: str, message: str) -> None:
        self.problems.append(DossierProblem(self.path, _line(node), field, message))

    # -- generic shapes -------------------------------------------------------------

    def mapping(
        self, node: Node, field: str, keys: tuple[tuple[str, ...], tuple[str, ...]]
    ) -> dict[str, Node]:
        """The mapping's values by key; unknown, repeated and missing keys are problems."""
        required, optional = keys
        if not isinstance(node, MappingNode):
            self.problem(node, field or "file", f"expected a mapping of keys, got {_describe(node)}")
            return {}
        allowed = (*required, *optional)
        found: dict[str, Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                self.problem(key_node, field or "file", "a key must be a plain name")
                continue
            key = key_node.value
            if key not in allowed:
                self.problem(
                    key_node,
                    _join(field, key),
                    f"unknown key '{key}' (expected one of: {', '.join(allowed)}){_suggest(key, allowed)}",
                )
            elif key in found:
                self.problem(
                    key_node, _join(field, key), f"key given twice (first on line {_line(found[key])})"
                )
            else:
                found[key] = value_node
        for key in required:
            if key not in found:
                self.problem(node, _join(field, key), "required key is missing")
        return found

    def sequence(self, node: Node | None, field: str, *, required: str = "") -> list[Node]:
        """The list's items. ``required`` names what the list must hold at least one of."""
        if node is None:
            return []
        if isinstance(node, ScalarNode) and self.is_null(node):
            items: list[Node] = []
        elif not isinstance(node, SequenceNode):
            self.problem(node, field, f"expected a list, got {_describe(node)}")
            return []
        else:
            items = node.value
        if required and not items:
            self.problem(node, field, f"must list at least one {required}")
        return items

    @staticmethod
    def is_null(node: ScalarNode) -> bool:
        # `key:`, `key: ~` and `key: null` mean "nothing"; a quoted "null" is text.
        return node.tag == NULL_TAG and not node.style  # plain style: None in PyYAML, "" in libyaml

    def text(
        self,
        node: Node | None,
        field: str,
        model_field: models.Field | None = None,
        *,
        required: bool = False,
        one_line: bool = False,
    ) -> str:
        """A scalar as its source text, stripped. A CharField's limits apply: one line, max_length."""
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            self.problem(node, field, f"expected text, got {_describe(node)}")
            return ""
        value = "" if self.is_null(node) else node.value.strip()
        if required and not value:
            self.problem(node, field, "must not be empty")
        if (one_line or isinstance(model_field, models.CharField)) and "\n" in value:
            self.problem(node, field, "must be one line")
        limit = model_field.max_length if isinstance(model_field, models.CharField) else None
        if limit and len(value) > limit:
            self.problem(node, field, f"is {len(value)} characters long (at most {limit})")
        return value

    def value(
        self,
        found: dict[str, Node],
        field: str,
        key: str,
        model: type[models.Model],
        *,
        required: bool = False,
    ) -> str:
        """The text under ``key`` of a mapping, checked against the model field of that name.

        The file's ``dispute`` is the model's ``dispute_note``; every other key is its field.
        """
        name = "dispute_note" if key == "dispute" else key
        return self.text(found.get(key), f"{field}.{key}", _field(model, name), required=required)

    def defined_slug(
        self,
        found: dict[str, Node],
        field: str,
        key: str,
        model: type[models.Model],
        registry: dict[str, int],
        what: str,
    ) -> str:
        """The slug under ``key``, checked and recorded as defined (a repeat is a problem)."""
        slug = self.slug(found.get(key), f"{field}.{key}", _field(model, key))
        node = found.get(key)
        if node is not None and slug:
            if slug in registry:
                line = registry[slug]
                self.problem(
                    node, f"{field}.{key}", f"duplicate {what} '{slug}' (first defined on line {line})"
                )
            else:
                registry[slug] = _line(node)
        return slug

    def slug(self, node: Node | None, field: str, model_field: models.Field) -> str:
        value = self.text(node, field, model_field, required=True)
        if node is not None and value and not SLUG_RE.fullmatch(value):
            self.problem(
                node,
                field,
                f"'{value}' is not a slug (lowercase a-z, 0-9 and hyphens, "
                "starting and ending with a letter or digit)",
            )
        return value

    def reference(
        self, node: Node | None, field: str, registry: dict[str, int], what: str, where: str
    ) -> str:
        """A slug that must name something defined in the file; "" when the key is absent."""
        value = self.text(node, field, _field(Source, "key"), required=True)  # any slug column will do
        if node is not None and value and value not in registry:
            self.problem(
                node,
                field,
                f"unknown {what} '{value}' (not defined under {where}){_suggest(value, registry)}",
            )
        return value

    def tag_list(self, node: Node | None, field: str, *, required: bool = False) -> list[str]:
        slugs: list[str] = []
        for index, item in enumerate(self.sequence(node, field, required="tag" if required else "")):
            slug = self.reference(item, f"{field}[{index}]", self.tags, "tag", "tags")
            if slug in slugs:
                self.problem(item, f"{field}[{index}]", f"tag '{slug}' is listed twice")
            elif slug:
                slugs.append(slug)
        return slugs

    def citations(
        self, node: Node | None, field: str, *, for_fact: bool = False
    ) -> list[tuple[CitationData, Node | None]]:
        """Each citation with the node of its explicit ``value`` (None when it defaults)."""
        cites: list[tuple[CitationData, Node | None]] = []
        items = self.sequence(node, field, required="citation" if for_fact else "")
        for index, item in enumerate(items):
            item_field = f"{field}[{index}]"
            if isinstance(item, ScalarNode):
                source = self.reference(item, item_field, self.sources, "source", "sources")
                cites.append((CitationData(source=source), None))
                continue
            found = self.mapping(item, item_field, FACT_CITE_KEYS if for_fact else CITE_KEYS)
            if not found:
                continue
            citation = CitationData(source="")
            if "source" in found:
                citation.source = self.reference(
                    found["source"], f"{item_field}.source", self.sources, "source", "sources"
                )
            citation.value = self.value(found, item_field, "value", Citation)
            citation.locator = self.value(found, item_field, "locator", Citation)
            citation.note = self.value(found, item_field, "note", Citation)
            cites.append((citation, found.get("value") if citation.value else None))
        return cites

    def date(
        self, node: Node | None, field: str, *, required: bool = True
    ) -> tuple[int, int | None, int | None] | None:
        """YYYY, YYYY-MM or YYYY-MM-DD as (year, month, day); the form gives the precision."""
        value = self.text(node, field, required=required, one_line=True)
        if node is None or not value:
            return None
        match = DATE_RE.fullmatch(value)
        if not match:
            self.problem(node, field, f"'{value}' is not a date (expected YYYY, YYYY-MM or YYYY-MM-DD)")
            return None
        year = int(match[1])
        month = int(match[2]) if match[2] else None
        day = int(match[3]) if match[3] else None
        if year < 1:
            self.problem(node, field, f"'{value}' has no year 0")
            return None
        if month is not None and not 1 <= month <= 12:
            self.problem(node, field, f"'{value}' does not exist: there is no month {month}")
            return None
        if month is not None and day is not None:
            last = calendar.monthrange(year, month)[1]
            if not 1 <= day <= last:
                self.problem(
                    node,
                    field,
                    f"'{value}' does not exist: {calendar.month_name[month]} {year} has {last} days",
                )
                return None
        return year, month, day

    def year(self, node: Node | None, field: str, what: str) -> int | None:
        value = self.text(node, field, one_line=True)
        if node is None or not value:
            return None
        if not YEAR_RE.fullmatch(value):
            self.problem(node, field, f"'{value}' is not {what} (expected a year such as 1689)")
            return None
        return int(value)

    # -- the dossier ----------------------------------------------------------------

    def dossier(self, root: Node) -> DossierData:
        found = self.mapping(root, "", ROOT_KEYS)
        if "format" in found:
            version = self.text(found["format"], "format", required=True, one_line=True)
            if version and version != FORMAT_VERSION:
                self.problem(
                    found["format"],
                    "format",
                    f"unsupported format '{version}' (this importer reads format {FORMAT_VERSION})",
                )
        # Definitions before references: sources and tags first, then sections, events, facts.
        sources = [
            self.source(item, f"sources[{i}]")
            for i, item in enumerate(self.sequence(found.get("sources"), "sources", required="source"))
        ]
        tags = [
            self.tag(item, f"tags[{i}]") for i, item in enumerate(self.sequence(found.get("tags"), "tags"))
        ]
        sections = [
            self.section(item, f"sections[{i}]")
            for i, item in enumerate(self.sequence(found.get("sections"), "sections"))
        ]
        events = [
            self.event(item, f"events[{i}]")
            for i, item in enumerate(self.sequence(found.get("events"), "events"))
        ]
        topic = (
            self.topic(found["topic"]) if "topic" in found else TopicData(slug="", title="", definition="")
        )
        facts = [
            self.fact(item, f"facts[{i}]")
            for i, item in enumerate(self.sequence(found.get("facts"), "facts"))
        ]
        return DossierData(
            topic=topic, sources=sources, tags=tags, sections=sections, events=events, facts=facts
        )

    def topic(self, node: Node) -> TopicData:
        found = self.mapping(node, "topic", TOPIC_KEYS)
        return TopicData(
            slug=self.slug(found.get("slug"), "topic.slug", _field(Topic, "slug")),
            title=self.value(found, "topic", "title", Topic, required=True),
            summary=self.value(found, "topic", "summary", Topic),
            definition=self.value(found, "topic", "definition", Topic, required=True),
            cite=[c for c, _ in self.citations(found.get("cite"), "topic.cite")],
        )

    def source(self, node: Node, field: str) -> SourceData:
        found = self.mapping(node, field, SOURCE_KEYS)
        source = SourceData(
            key=self.defined_slug(found, field, "key", Source, self.sources, "source key"),
            title=self.value(found, field, "title", Source, required=True),
            short_name=self.value(found, field, "short_name", Source),
            publisher=self.value(found, field, "publisher", Source),
            url=self.value(found, field, "url", Source),
            note=self.value(found, field, "note", Source),
        )
        kind = self.value(found, field, "kind", Source)
        if kind in SOURCE_KINDS:
            source.kind = kind
        elif kind:
            self.problem(
                found["kind"],
                f"{field}.kind",
                f"unknown source kind '{kind}' (expected one of: {', '.join(SOURCE_KINDS)})"
                f"{_suggest(kind, SOURCE_KINDS)}",
            )
        if parts := self.date(found.get("date"), f"{field}.date", required=False):
            year, month, day = parts
            source.date = datetime.date(year, month or 1, day or 1)
            source.date_precision = (
                Source.Precision.DAY if day else Source.Precision.MONTH if month else Source.Precision.YEAR
            )
        if source.url:
            try:
                URLValidator()(source.url)
            except ValidationError:
                self.problem(found["url"], f"{field}.url", f"'{source.url}' is not a valid URL")
        return source

    def tag(self, node: Node, field: str) -> TagData:
        found = self.mapping(node, field, TAG_KEYS)
        return TagData(
            slug=self.defined_slug(found, field, "slug", Tag, self.tags, "tag"),
            name=self.value(found, field, "name", Tag, required=True),
            description=self.value(found, field, "description", Tag),
        )

    def section(self, node: Node, field: str) -> SectionData:
        found = self.mapping(node, field, SECTION_KEYS)
        return SectionData(
            slug=self.defined_slug(found, field, "slug", Section, self.sections, "section"),
            context=self.value(found, field, "context", Section, required=True),
            body=self.value(found, field, "body", Section, required=True),
            tags=self.tag_list(found.get("tags"), f"{field}.tags"),
            cite=[c for c, _ in self.citations(found.get("cite"), f"{field}.cite")],
        )

    def event(self, node: Node, field: str) -> EventData:
        found = self.mapping(node, field, EVENT_KEYS)
        slug = self.defined_slug(found, field, "slug", TimelineEvent, self.events, "event")
        year, month, day = self.date(found.get("date"), f"{field}.date") or (0, None, None)
        event = EventData(
            slug=slug,
            year=year,
            month=month,
            day=day,
            end_year=self.year(found.get("end"), f"{field}.end", "the year a period ended"),
            title=self.value(found, field, "title", TimelineEvent, required=True),
            summary=self.value(found, field, "summary", TimelineEvent, required=True),
            section=self.reference(
                found.get("section"), f"{field}.section", self.sections, "section", "sections"
            ),
            tags=self.tag_list(found.get("tags"), f"{field}.tags"),
            cite=[c for c, _ in self.citations(found.get("cite"), f"{field}.cite")],
        )
        if event.end_year is not None and year and event.end_year < year:
            self.problem(
                found["end"], f"{field}.end", f"the period ends ({event.end_year}) before it starts ({year})"
            )
        return event

    def fact(self, node: Node, field: str) -> FactData:
        found = self.mapping(node, field, FACT_KEYS)
        fact = FactData(
            slug=self.defined_slug(found, field, "slug", Fact, self.facts, "fact"),
            kind=self.value(found, field, "kind", Fact, required=True),
            subject=self.value(found, field, "subject", Fact, required=True),
            statement=self.value(found, field, "statement", Fact, required=True),
            answer=self.value(found, field, "answer", Fact, required=True),
            stem=self.value(found, field, "stem", Fact),
            unit=self.value(found, field, "unit", Fact),
            year=self.year(found.get("year"), f"{field}.year", "a year"),
            answer_class=self.text(found.get("class"), f"{field}.class", _field(Fact, "answer_class")),
            section=self.reference(
                found.get("section"), f"{field}.section", self.sections, "section", "sections"
            ),
            event=self.reference(found.get("event"), f"{field}.event", self.events, "event", "events"),
            explanation=self.value(found, field, "explanation", Fact),
            dispute=self.value(found, field, "dispute", Fact),
            tags=self.tag_list(found.get("tags"), f"{field}.tags", required=True),
        )
        for index, alias_node in enumerate(self.sequence(found.get("aliases"), f"{field}.aliases")):
            alias = self.text(alias_node, f"{field}.aliases[{index}]", _field(Fact, "answer"), required=True)
            if alias:
                fact.aliases.append(alias)

        if fact.kind and fact.kind not in FACT_KINDS:
            self.problem(
                found["kind"],
                f"{field}.kind",
                f"unknown answer kind '{fact.kind}' (expected one of: {', '.join(FACT_KINDS)})"
                f"{_suggest(fact.kind, FACT_KINDS)}",
            )
        numeric = fact.kind in Fact.NUMERIC_KINDS
        if numeric and fact.answer and not self.numeric_ok(fact.kind, fact.answer):
            self.problem(found["answer"], f"{field}.answer", self.numeric_message(fact.kind, fact.answer))
        if fact.answer and fact.statement and fact.answer not in fact.statement:
            self.problem(
                found["statement"],
                f"{field}.statement",
                f"does not contain the answer '{fact.answer}' exactly as written",
            )
        if fact.answer_class and not SLUG_RE.fullmatch(fact.answer_class):
            self.problem(
                found["class"], f"{field}.class", f"'{fact.answer_class}' is not a slug (e.g. river)"
            )
        if "era" in found:
            self.era(found["era"], f"{field}.era", fact)
        if fact.kind == Fact.Kind.DATE and fact.answer and parse_partial_date(fact.answer) is None:
            self.problem(
                found["answer"],
                f"{field}.answer",
                f"'{fact.answer}' is not a date (write '25 June 1950', 'July 2000' or '2000')",
            )
        if fact.kind == Fact.Kind.TEXT and not fact.stem:
            self.problem(
                node, f"{field}.stem", "a fact of kind 'text' needs a stem (no question template fits)"
            )

        cites = self.citations(found.get("cite"), f"{field}.cite", for_fact=True)
        for index, (citation, value_node) in enumerate(cites):
            if value_node is None:
                citation.value = fact.answer
            elif numeric and not self.numeric_ok(fact.kind, citation.value):
                self.problem(
                    value_node,
                    f"{field}.cite[{index}].value",
                    self.numeric_message(fact.kind, citation.value),
                )
        fact.cite = [c for c, _ in cites]
        values = distinct_values(c.value for c in fact.cite if c.value)
        if len(values) > 1 and not fact.dispute:
            given = ", ".join(f"'{v}'" for v in values)
            self.problem(
                node,
                f"{field}.dispute",
                f"the citations give different values ({given}): a disputed fact needs a dispute note",
            )
        fact.distractors = self.distractors(node, found.get("distractors"), f"{field}.distractors", fact)
        return fact

    def era(self, node: Node, field: str, fact: FactData) -> None:
        """ "1985-1991" (or one year): the years of the fact's actors; year options stay inside."""
        value = self.text(node, field, one_line=True)
        match = ERA_RE.fullmatch(value)
        if not match:
            self.problem(node, field, f"'{value}' is not an era (expected years such as 1985-1991)")
            return
        start, end = int(match[1]), int(match[2] or match[1])
        if end < start:
            self.problem(node, field, f"the era ends ({end}) before it starts ({start})")
            return
        fact.era_start, fact.era_end = start, end

    def distractors(self, fact_node: Node, node: Node | None, field: str, fact: FactData) -> list[str]:
        """The author's wrong answers: each certainly wrong, no two alike; kind text needs three.

        "Certainly wrong" is checked as the quiz checks options: after :func:`normalise`
        (and as numbers for years and numbers), a distractor must differ from the answer,
        every alias and every value any citation gives, so a disputed fact's distractors
        are wrong by every source.
        """
        numeric = fact.kind in Fact.NUMERIC_KINDS
        right = [
            (fact.answer, f"the answer '{fact.answer}'"),
            *((alias, f"the alias '{alias}'") for alias in fact.aliases),
            *((c.value, f"'{c.value}', the value source '{c.source}' gives") for c in fact.cite if c.value),
        ]
        kept: list[tuple[str, int]] = []
        for index, item in enumerate(self.sequence(node, field)):
            item_field = f"{field}[{index}]"
            value = self.text(item, item_field, _field(Fact, "answer"), required=True)
            if not value:
                continue
            if numeric and not self.numeric_ok(fact.kind, value):
                self.problem(item, item_field, self.numeric_message(fact.kind, value))
            elif match := next((what for v, what in right if _alike(fact.kind, value, v)), None):
                self.problem(item, item_field, f"'{value}' is not wrong: it matches {match}")
            elif twin := next(((v, i) for v, i in kept if _alike(fact.kind, value, v)), None):
                self.problem(item, item_field, f"'{value}' is the same as distractors[{twin[1]}] '{twin[0]}'")
            else:
                kept.append((value, index))
        if fact.kind == Fact.Kind.TEXT and len(kept) < TEXT_DISTRACTORS:
            self.problem(
                node if node is not None else fact_node,
                field,
                f"a fact of kind 'text' needs at least {TEXT_DISTRACTORS} distractors "
                f"(wrong answers written by the author); it has {len(kept)} usable",
            )
        return [value for value, _ in kept]

    @staticmethod
    def numeric_ok(kind: str, value: str) -> bool:
        if kind == Fact.Kind.YEAR:
            return bool(YEAR_RE.fullmatch(value))
        return numeric_value(value) is not None

    @staticmethod
    def numeric_message(kind: str, value: str) -> str:
        if kind == Fact.Kind.YEAR:
            return f"'{value}' is not a year (a year answer is a whole number such as 1689)"
        return f"'{value}' is not a number (write digits such as 17, 3,000 or 2.5; the unit goes in unit)"

"""Writing a topic back out as a dossier file, in the shape docs/dossier-format.md shows.

The YAML is written by hand rather than by ``yaml.dump``, so the file reads like one a
person wrote: keys in the spec's order, ``|`` literal blocks for multi-line text, answers,
dates, citation values, aliases and distractors always double-quoted, other text plain
where YAML allows it, and empty optional keys left out. Importing the result gives back
the same rows, and exporting again gives the same bytes.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable

import yaml
from django.db.models import Q
from yaml.emitter import Emitter
from yaml.nodes import ScalarNode

from content.dossier.load import FORMAT_VERSION
from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic

STR_TAG = "tag:yaml.org,2002:str"
_analyser = Emitter(io.StringIO(), allow_unicode=True)
_resolver = yaml.resolver.Resolver()
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}

Pairs = list[tuple[str, object]]
# One-line text that would make a line longer than FOLD_AFTER is folded (``>-``) and
# wrapped at WRAP_AT, as people write it; shorter text stays on its line.
FOLD_AFTER = 110
WRAP_AT = 88


class Flow(list[str]):
    """A list written inline: ``[a, b]``; items are quoted when ``quoted`` is set."""

    def __init__(self, items: Iterable[str], *, quoted: bool = False) -> None:
        super().__init__(items)
        self.quoted = quoted


class Quoted(str):
    """Text that is always double-quoted (answers, dates, values)."""

    __slots__ = ()


def export_dossier(topic: Topic) -> str:
    """The dossier file for ``topic``."""
    sources = list(topic.sources.all())
    sections = list(topic.sections.prefetch_related("tags"))
    events = list(topic.events.select_related("section").prefetch_related("tags"))
    facts = list(topic.facts.select_related("section", "event").prefetch_related("tags"))
    cites: dict[tuple[str, int], list[Citation]] = defaultdict(list)
    for citation in (
        Citation.objects.filter(
            Q(topic=topic) | Q(section__topic=topic) | Q(event__topic=topic) | Q(fact__topic=topic)
        )
        .select_related("source")
        .order_by("pk")
    ):
        for target in ("topic", "section", "event", "fact"):
            target_id = getattr(citation, f"{target}_id")
            if target_id:
                cites[target, target_id].append(citation)
    tagged: list[Section | TimelineEvent | Fact] = [*sections, *events, *facts]
    used_tags = {tag.pk: tag for obj in tagged for tag in obj.tags.all()}
    tags = sorted(used_tags.values(), key=lambda t: t.slug)

    out: list[str] = [f"format: {FORMAT_VERSION}", ""]
    out += _block(
        "topic",
        [
            ("slug", topic.slug),
            ("title", topic.title),
            ("summary", topic.summary),
            ("definition", topic.definition),
            ("cite", _cite(cites["topic", topic.pk])),
        ],
    )
    out += _list("sources", [_source(s) for s in sources])
    out += _list(
        "tags",
        [[("slug", t.slug), ("name", t.name), ("description", t.description)] for t in tags],
        spaced=False,
    )
    out += _list("sections", [_section(s, cites["section", s.pk]) for s in sections])
    out += _list("events", [_event(e, cites["event", e.pk]) for e in events])
    out += _list("facts", [_fact(f, cites["fact", f.pk]) for f in facts])
    return "\n".join(out).rstrip("\n") + "\n"


def _source(source: Source) -> Pairs:
    return [
        ("key", source.key),
        ("title", source.title),
        ("short_name", source.short_name),
        ("publisher", source.publisher),
        ("kind", source.kind),
        ("date", Quoted(source.date_iso)),
        ("url", source.url),
        ("note", source.note),
    ]


def _section(section: Section, cites: list[Citation]) -> Pairs:
    return [
        ("slug", section.slug),
        ("context", section.context),
        ("tags", _tags(section.tags.all())),
        ("cite", _cite(cites)),
        ("body", section.body),
    ]


def _event(event: TimelineEvent, cites: list[Citation]) -> Pairs:
    date = f"{event.year:04d}"
    if event.month:
        date += f"-{event.month:02d}"
        if event.day:
            date += f"-{event.day:02d}"
    return [
        ("slug", event.slug),
        ("date", Quoted(date)),
        ("end", Quoted(f"{event.end_year:04d}" if event.end_year is not None else "")),
        ("title", event.title),
        ("summary", event.summary),
        ("section", event.section.slug if event.section else ""),
        ("tags", _tags(event.tags.all())),
        ("cite", _cite(cites)),
    ]


def _fact(fact: Fact, cites: list[Citation]) -> Pairs:
    return [
        ("slug", fact.slug),
        ("kind", fact.kind),
        ("subject", fact.subject),
        ("statement", fact.statement),
        ("answer", Quoted(fact.answer)),
        ("stem", fact.stem),
        ("unit", fact.unit),
        ("aliases", Flow(fact.aliases or [], quoted=True)),
        ("distractors", _answers(fact.distractors or [])),
        ("class", fact.answer_class),
        ("year", fact.year),
        ("era", _era(fact)),
        ("section", fact.section.slug if fact.section else ""),
        ("event", fact.event.slug if fact.event else ""),
        ("tags", _tags(fact.tags.all())),
        ("explanation", fact.explanation),
        ("dispute", fact.dispute_note),
        ("cite", _cite(cites, answer=fact.answer)),
    ]


def _era(fact: Fact) -> str:
    if fact.era_start is None:
        return ""
    if fact.era_end is None or fact.era_end == fact.era_start:
        return str(fact.era_start)
    return f"{fact.era_start}-{fact.era_end}"


def _answers(values: list[str]) -> Flow | list[str | Pairs]:
    """Answer-like text, quoted like answers: inline when the line stays short, else one per line."""
    inline = ", ".join(_double_quoted(v) for v in values)
    if len(f"    distractors: [{inline}]") <= FOLD_AFTER:
        return Flow(values, quoted=True)
    return [Quoted(v) for v in values]


def _tags(tags: Iterable[Tag]) -> Flow:
    # Tag links have no order of their own; slug order keeps the export stable.
    return Flow(sorted(tag.slug for tag in tags))


def _cite(cites: list[Citation], *, answer: str | None = None) -> Flow | list[str | Pairs]:
    """Bare keys inline when that says everything; otherwise one item per line.

    A fact's citation value is left out when it equals the answer (its default).
    """
    items: list[str | Pairs] = []
    for citation in cites:
        value = citation.value if answer is not None and citation.value != answer else ""
        if value or citation.locator or citation.note:
            items.append(
                [
                    ("source", citation.source.key),
                    ("value", Quoted(value)),
                    ("locator", citation.locator),
                    ("note", citation.note),
                ]
            )
        else:
            items.append(citation.source.key)
    if all(isinstance(item, str) for item in items):
        return Flow(item for item in items if isinstance(item, str))
    return items


# -- YAML text ------------------------------------------------------------------------


def _block(name: str, pairs: Pairs) -> list[str]:
    return [f"{name}:", *_mapping(pairs, "  "), ""]


def _list(name: str, items: list[Pairs], *, spaced: bool = True) -> list[str]:
    if not items:
        return []
    lines = [f"{name}:"]
    for index, pairs in enumerate(items):
        if index and spaced:
            lines.append("")
        lines += _item(pairs, "  ")
    return [*lines, ""]


def _item(value: str | Pairs, indent: str) -> list[str]:
    """A list item at ``indent``: ``- scalar`` or a mapping whose first key follows the dash."""
    if isinstance(value, Quoted):
        return [f"{indent}- {_double_quoted(value)}"]
    if isinstance(value, str):
        return [f"{indent}- {_scalar(value)}"]
    lines = _mapping(value, indent + "  ")
    lines[0] = f"{indent}- {lines[0].lstrip()}"
    return lines


def _mapping(pairs: Pairs, indent: str) -> list[str]:
    lines: list[str] = []
    for key, value in pairs:
        if value is None or value == "" or value == []:
            continue  # empty optional keys are left out; required ones are never empty
        if isinstance(value, int):
            lines.append(f"{indent}{key}: {value}")
        elif isinstance(value, Flow):
            items = (_double_quoted(v) if value.quoted else _scalar(v, flow=True) for v in value)
            lines.append(f"{indent}{key}: [{', '.join(items)}]")
        elif isinstance(value, list):
            lines.append(f"{indent}{key}:")
            for item in value:
                lines += _item(item, indent + "  ")
        elif isinstance(value, Quoted):
            lines.append(f"{indent}{key}: {_double_quoted(value)}")
        elif isinstance(value, str) and _literal_ok(value):
            lines.append(f"{indent}{key}: |")
            lines += [f"{indent}  {line}" if line else "" for line in value.split("\n")]
        elif isinstance(value, str) and (folded := _folded(value, f"{indent}{key}: ", indent + "  ")):
            lines.append(f"{indent}{key}: >-")
            lines += [f"{indent}  {line}" for line in folded]
        else:
            lines.append(f"{indent}{key}: {_scalar(str(value))}")
    return lines


def _literal_ok(text: str) -> bool:
    if "\n" not in text or text != text.strip() or any(ch in text for ch in "\r\x85\u2028\u2029"):
        return False
    return _analyser.analyze_scalar(text).allow_block


def _folded(text: str, prefix: str, indent: str) -> list[str] | None:
    """Long one-line text wrapped at single spaces, for a ``>-`` block; None if it fits or cannot.

    Folding turns each line break back into one space, so it is lossless only when the
    text has no line breaks, no runs of spaces and no tabs (a line starting with
    whitespace would not be folded).
    """
    if len(prefix + _scalar(text)) <= FOLD_AFTER or text != text.strip() or "  " in text or "\t" in text:
        return None
    width = WRAP_AT - len(indent)
    if any(ch in text for ch in "\n\r\x85\u2028\u2029") or not _analyser.analyze_scalar(text).allow_block:
        return None
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def _scalar(text: str, *, flow: bool = False) -> str:
    """Plain when YAML reads it back as the same string, double-quoted otherwise."""
    analysis = _analyser.analyze_scalar(text)
    plain_ok = analysis.allow_flow_plain if flow else analysis.allow_block_plain
    reads_as_str = _resolver.resolve(ScalarNode, text, (True, False)) == STR_TAG
    if text and plain_ok and not analysis.multiline and reads_as_str:
        return text
    return _double_quoted(text)


def _double_quoted(text: str) -> str:
    out = []
    for ch in text:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif yaml.reader.Reader.NON_PRINTABLE.match(ch) or ch in "\x85\u2028\u2029\ufeff":
            code = ord(ch)
            out.append(
                f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
            )
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'

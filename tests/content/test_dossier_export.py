"""`manage.py export_dossier`: the database written back out in the dossier format, losslessly."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import CommandError, call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from content.dossier import export_dossier, import_dossier, load_dossier, parse_dossier
from content.models import Fact, Source, Tag, Topic
from tests.content.conftest import DATA, REPO, content_dump, edit
from tests.factories import SourceFactory, TopicFactory

pytestmark = pytest.mark.django_db

SHIPPED = REPO / "fixtures" / "north-korea-russia.yaml"


def export(slug: str) -> str:
    out = io.StringIO()
    call_command("export_dossier", slug, stdout=out)
    return out.getvalue()


def test_export_writes_the_spec_layout():
    """Keys in the spec's order, `|` blocks for multi-line text, quoted answers, dates and
    values, plain text elsewhere, empty optional keys left out, citation values that equal
    the answer left out: the expected file is checked in beside the input."""
    import_dossier(load_dossier(DATA / "small.yaml"))

    assert export("small-topic") == (DATA / "small.exported.yaml").read_text(encoding="utf-8")


def test_export_writes_to_a_file_with_o(tmp_path):
    """With -o the file is written and stdout stays empty."""
    import_dossier(load_dossier(DATA / "small.yaml"))
    target = tmp_path / "out.yaml"
    out = io.StringIO()

    call_command("export_dossier", "small-topic", "-o", str(target), stdout=out, stderr=io.StringIO())

    assert out.getvalue() == ""
    assert target.read_text(encoding="utf-8") == (DATA / "small.exported.yaml").read_text(encoding="utf-8")


def test_export_of_an_unknown_topic_fails():
    """An unknown slug is a command error, not an empty file."""
    with pytest.raises(CommandError, match="No topic with slug 'nope'"):
        export("nope")


@pytest.mark.parametrize("path", [DATA / "small.yaml", SHIPPED], ids=["small", "shipped"])
def test_import_export_import_is_lossless(path, write_dossier):
    """Importing the export into an empty database gives back every row and relation, the
    author's distractors included (in their order), and exporting that gives the same bytes."""
    import_dossier(load_dossier(path))
    original = content_dump()
    distractors = dict(Fact.objects.values_list("slug", "distractors"))
    assert any(distractors.values())
    slug = Topic.objects.get().slug
    exported = export(slug)

    Topic.objects.all().delete()
    Tag.objects.all().delete()
    import_dossier(load_dossier(write_dossier(exported)))

    assert content_dump() == original
    assert dict(Fact.objects.values_list("slug", "distractors")) == distractors
    assert export(slug) == exported


def source_dates(exported: str) -> dict[str, str]:
    """Each source's `date:` exactly as the exported file writes it, by key."""
    block = exported[exported.index("\nsources:\n") : exported.index("\ntags:\n")]
    return dict(re.findall(r'- key: (\S+)\n(?:    (?!date:).*\n)*    date: "([^"]*)"', block))


@pytest.mark.parametrize(
    "dates",
    [
        {"atlas": "2010", "dictionary": "2012-03", "news": "2019-04-25"},
        # Full dates on the first of January and of a month: not to be shortened to "2010" or "2012-03".
        {"atlas": "2010-01-01", "dictionary": "2012-03-01", "news": "2019"},
        {"atlas": "1999-12", "dictionary": "2012", "news": "2020-01"},
    ],
    ids=["year-month-day", "firsts-of-the-month", "month-year-month"],
)
def test_source_dates_survive_the_round_trip_as_written(small_yaml, write_dossier, dates):
    """A year-only, a month and a full date are exported in the form the file gave, and the
    export imports to the same dates and precisions and exports to the same bytes."""
    text = edit(small_yaml, "    date: 2010\n", f'    date: "{dates["atlas"]}"\n')
    text = edit(text, '    date: "2012-03"\n', f'    date: "{dates["dictionary"]}"\n')
    text = edit(text, "    date: 2019-04-25\n", f'    date: "{dates["news"]}"\n')
    import_dossier(load_dossier(write_dossier(text)))
    original = content_dump()

    exported = export("small-topic")

    assert source_dates(exported) == dates
    Topic.objects.all().delete()
    Tag.objects.all().delete()
    import_dossier(load_dossier(write_dossier(exported, "exported.yaml")))
    assert content_dump() == original
    assert {s.key: s.date_iso for s in Source.objects.all()} == dates
    assert export("small-topic") == exported


def test_an_undated_source_is_exported_without_a_date():
    """No date, no `date:` key, whatever the (meaningless) precision says."""
    SourceFactory(topic=TopicFactory(slug="undated"), key="plain", date=None, date_precision="year")

    exported = export("undated")

    assert "- key: plain\n" in exported
    assert "date:" not in exported


def test_distractors_are_written_inline_when_short_and_one_per_line_when_long(write_dossier):
    """A short list stays on the fact's `distractors:` line; a list that would make the line
    longer than 110 characters is written one quoted item per line, and reads back the same."""
    import_dossier(load_dossier(DATA / "small.yaml"))
    long = [
        "the Soviet Union cut off all aid to Pyongyang",
        "North Korea joined the Warsaw Pact",
        'a "quoted" one',
    ]
    Fact.objects.filter(slug="summit-city").update(distractors=long)

    exported = export("small-topic")

    assert '    distractors: ["Kim Jong-un", "Syngman Rhee"]\n' in exported
    assert (
        "    distractors:\n"
        '      - "the Soviet Union cut off all aid to Pyongyang"\n'
        '      - "North Korea joined the Warsaw Pact"\n'
        '      - "a \\"quoted\\" one"\n'
    ) in exported
    data = load_dossier(write_dossier(exported))
    assert next(f for f in data.facts if f.slug == "summit-city").distractors == long


def test_reimporting_the_export_over_the_original_changes_nothing(write_dossier):
    """The export is the same dossier: importing it over the original is a no-op."""
    import_dossier(load_dossier(DATA / "small.yaml"))
    original = content_dump()

    import_dossier(load_dossier(write_dossier(export("small-topic"))))

    assert content_dump() == original


one_line = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\n"), min_size=1).map(
    str.strip
)
any_text = st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1).map(
    str.strip
)
# Long enough to be folded into a `>-` block: words with single, double or odd spacing.
long_line = st.lists(
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00\n"), max_size=12), min_size=30
).map(lambda words: " ".join(words).strip())


@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(
    summary=one_line | long_line.map(lambda text: text[:300].strip()),  # Topic.summary holds 300
    definition=any_text.filter(bool) | long_line.filter(bool),
    title=one_line.map(lambda text: text[:200].strip()).filter(bool),  # Topic.title holds 200
)
def test_any_text_survives_the_export(summary, definition, title):
    """Whatever text a row holds (quotes, colons, `#`, leading dashes, tabs, unicode, blank
    lines, runs of spaces, words YAML would read as booleans or numbers, lines long enough
    to be folded), the exported file reads back as exactly that text."""
    topic = TopicFactory(title=title, summary=summary, definition=definition)
    SourceFactory(topic=topic)

    data = parse_dossier(export_dossier(topic))

    assert (data.topic.title, data.topic.summary, data.topic.definition) == (title, summary, definition)

"""No shipped dossier repeats its sources' wording: 10 or more consecutive words in common fails.

The dossiers are written from the documents in ``shared/seeds/`` beside the repository
(the facts and figures are taken, never the sentences). Every text value of every file in
``fixtures/*.yaml`` is compared with every seed document on normalised words: case
folded, accents dropped, apostrophes removed ("People’s" and "People's" are one word),
thousands separators and decimal points inside numbers removed, and every other
punctuation mark, hyphen or dash taken as a word break ("Kim Il-sung" is three words).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from content.dossier import load_dossier
from tests.content.conftest import REPO

RUN = 10
FIXTURES = REPO / "fixtures"
SEEDS = REPO.parent / "shared" / "seeds"

APOSTROPHES = re.compile(r"['’‘ʼ`]")
NUMBER_MARKS = re.compile(r"(?<=\d)[.,](?=\d)")
NON_WORD = re.compile(r"[\W_]+")


def words(text: str) -> list[str]:
    """``text`` as normalised words (see the module docstring)."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch))
    folded = NUMBER_MARKS.sub("", APOSTROPHES.sub("", folded))
    return NON_WORD.sub(" ", folded).split()


def ngrams(tokens: list[str], size: int = RUN) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1)}


def shared_runs(text: str, seed_grams: set[tuple[str, ...]], size: int = RUN) -> list[str]:
    """Each stretch of ``text`` made of consecutive ``size``-word runs found in the seed, as words.

    Overlapping matches merge, so a 13-word copy is reported once, whole.
    """
    tokens = words(text)
    hits = [i for i in range(len(tokens) - size + 1) if tuple(tokens[i : i + size]) in seed_grams]
    runs: list[str] = []
    start = end = None
    for i in hits:
        if start is not None and end is not None and i <= end - size + 1:
            end = i + size
            continue
        if start is not None:
            runs.append(" ".join(tokens[start:end]))
        start, end = i, i + size
    if start is not None:
        runs.append(" ".join(tokens[start:end]))
    return runs


@dataclass(frozen=True)
class Text:
    file: str
    field: str
    value: str


def text_fields(node: object, field: str = "") -> Iterator[tuple[str, str]]:
    """Every string in a parsed YAML tree, with its path (``facts[3] border-length.dispute``)."""
    if isinstance(node, str):
        yield field, node
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from text_fields(value, f"{field}.{key}" if field else str(key))
    elif isinstance(node, list):
        for n, item in enumerate(node):
            name = item.get("slug") or item.get("key") if isinstance(item, dict) else None
            yield from text_fields(item, f"{field}[{n}]" + (f" {name}" if name else ""))


def dossier_texts() -> list[Text]:
    texts = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        texts += [
            Text(path.name, field, value)
            for field, value in text_fields(yaml.safe_load(path.read_text(encoding="utf-8")))
        ]
    return texts


def seed_documents() -> dict[str, list[str]]:
    """The seed documents' words by file name; fails (never skips) when the folder is missing."""
    if not SEEDS.is_dir():
        pytest.fail(
            f"The seed documents are missing: expected them in {SEEDS} (the shared/ folder "
            "beside the repository). Put shared/ next to the clone; without it this check "
            "cannot tell whether the dossiers copy their sources."
        )
    documents = {
        path.name: words(path.read_text(encoding="utf-8"))
        for path in sorted(SEEDS.iterdir())
        if path.is_file() and path.suffix == ".txt"
    }
    if not documents:
        pytest.fail(f"{SEEDS} holds no seed documents (*.txt)")
    return documents


def test_words_normalise_case_punctuation_and_dashes():
    """Curly and straight apostrophes, hyphens, dashes, accents and number marks all compare alike."""
    assert words("The People’s Republic—Kim Il-sung's 9,330-kilometre trip (17.5 km); vis-à-vis") == [
        "the",
        "peoples",
        "republic",
        "kim",
        "il",
        "sungs",
        "9330",
        "kilometre",
        "trip",
        "175",
        "km",
        "vis",
        "a",
        "vis",
    ]


def test_a_run_of_ten_words_is_found_and_nine_is_not():
    """Ten consecutive words in common are a copy, whatever the case or punctuation; nine are not."""
    seed = ngrams(words("Long ago, one two three four five six seven eight nine ten eleven, the end."))
    ten = "Here: ONE two three-four five six seven eight nine ten! And more."
    nine = "Here: one two three four five six seven eight nine, eleven ten."
    assert shared_runs(ten, seed) == ["one two three four five six seven eight nine ten"]
    assert shared_runs(nine, seed) == []


def test_overlapping_runs_are_reported_once_and_separate_runs_apart():
    """A 13-word copy is one finding of 13 words; a second copy further on is its own finding."""
    seed = ngrams(words(" ".join(f"w{n}" for n in range(40))))
    text = " ".join(f"w{n}" for n in range(13)) + " gap " + " ".join(f"w{n}" for n in range(20, 30))
    assert shared_runs(text, seed) == [
        " ".join(f"w{n}" for n in range(13)),
        " ".join(f"w{n}" for n in range(20, 30)),
    ]


def test_missing_seed_documents_fail_the_check_instead_of_skipping_it(monkeypatch, tmp_path):
    """Without shared/seeds beside the repository the check fails and says where it looked."""
    seeds = tmp_path / "shared" / "seeds"
    monkeypatch.setattr(sys.modules[__name__], "SEEDS", seeds)
    with pytest.raises(pytest.fail.Exception, match="seed documents are missing: expected them in"):
        seed_documents()

    seeds.mkdir(parents=True)
    with pytest.raises(pytest.fail.Exception, match="holds no seed documents"):
        seed_documents()


def test_text_fields_name_the_item_and_key():
    """Every string of the file is compared, named by its list item's slug (or key) and its key."""
    tree = {"topic": {"definition": "d"}, "facts": [{"slug": "f", "cite": [{"source": "s", "value": "v"}]}]}
    assert list(text_fields(tree)) == [
        ("topic.definition", "d"),
        ("facts[0] f.slug", "f"),
        ("facts[0] f.cite[0].source", "s"),
        ("facts[0] f.cite[0].value", "v"),
    ]


def test_shipped_dossiers_are_found_and_valid():
    """The check reads the real shipped files, and each of them is a valid dossier."""
    paths = sorted(FIXTURES.glob("*.yaml"))
    assert paths, f"no dossier in {FIXTURES}"
    for path in paths:
        load_dossier(path)


def test_a_known_copy_is_caught_against_the_real_seed_documents():
    """The 13-word sentence the dossier once took from the trivia page is found, whole."""
    grams = ngrams(seed_documents()["000_19d8c216b0424f4f.txt"])
    copied = "North Korea received major Soviet military and political support during the Cold War."

    assert shared_runs(copied, grams) == [
        "north korea received major soviet military and political support during the cold war"
    ]


def test_no_dossier_text_shares_ten_consecutive_words_with_a_seed_document():
    """No text value of any shipped dossier repeats 10 or more consecutive words of a seed."""
    seeds = {name: ngrams(tokens) for name, tokens in seed_documents().items()}
    texts = dossier_texts()
    assert any(text.field == "topic.definition" for text in texts)
    copies = [
        f"{text.file}: {text.field} shares {len(run.split())} words with {name}: “{run}”"
        for text in texts
        for name, grams in seeds.items()
        for run in shared_runs(text.value, grams)
    ]
    assert not copies, "Rewrite these in the dossier's own words:\n" + "\n".join(copies)

"""Forms of the live game: hosting one, and joining one with its PIN."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Count

from content.models import Tag, Topic
from quiz.live import game as live
from quiz.live.models import LiveGame
from quiz.models import Quiz


def source_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """What a game can be played on, grouped: dossiers, quizzes, tags (with facts)."""
    topics = [(f"topic:{t.slug}", t.title) for t in Topic.objects.published().order_by("title")]
    quizzes = [
        (f"quiz:{q.slug}", q.title)
        for q in Quiz.objects.published().filter(is_default=False).order_by("title")
    ]
    tags = [
        (f"tag:{t.slug}", t.name)
        for t in Tag.objects.annotate(n=Count("facts")).filter(n__gt=0).order_by("name")
    ]
    groups = [("Dossiers", topics), ("Quizzes", quizzes), ("Tags", tags)]
    return [(label, choices) for label, choices in groups if choices]


def resolve_source(value: str) -> tuple[Quiz, Tag | None] | None:
    """The quiz (and tag) a source value plays, as the trivia start pages choose them."""
    kind, _, slug = value.partition(":")
    if kind == "topic":
        topic = Topic.objects.published().filter(slug=slug).first()
        return (Quiz.default_for(topic), None) if topic else None
    if kind == "quiz":
        quiz = Quiz.objects.published().filter(slug=slug).first()
        return (quiz, None) if quiz else None
    if kind == "tag":
        tag = Tag.objects.filter(slug=slug).first()
        if tag is None:
            return None
        topic = (
            Topic.objects.published()
            .filter(facts__tags=tag)
            .annotate(tagged=Count("facts"))
            .order_by("-tagged", "title")
            .first()
        )
        return (Quiz.default_for(topic), tag) if topic else None
    return None


class NewGameForm(forms.Form):
    source = forms.ChoiceField(label="Play on")
    length = forms.TypedChoiceField(
        label="Questions",
        choices=[(n, str(n)) for n in live.LENGTHS],
        coerce=int,
        initial=10,
        widget=forms.RadioSelect,
    )
    scoring = forms.ChoiceField(
        label="Points",
        choices=LiveGame.Scoring.choices,
        initial=LiveGame.Scoring.SPEED,
        widget=forms.RadioSelect,
    )
    seconds = forms.TypedChoiceField(
        label="Seconds to answer each question",
        choices=[(n, f"{n} seconds") for n in live.SECONDS],
        coerce=int,
        initial=20,
    )
    extra_time = forms.BooleanField(
        label="Extra time: every answer window is half as long again",
        required=False,
        help_text="For a class with players who need more time to read.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].choices = source_choices()  # type: ignore[attr-defined]

    def clean_source(self) -> tuple[Quiz, Tag | None]:
        resolved = resolve_source(self.cleaned_data["source"])
        if resolved is None:
            raise forms.ValidationError("Choose a dossier, a quiz or a tag from the list.")
        return resolved


class JoinForm(forms.Form):
    pin = forms.CharField(
        label="Game PIN",
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": r"[0-9 ]*"}),
    )
    nickname = forms.CharField(
        label="Nickname",
        max_length=60,
        help_text=f"Up to {live.NICKNAME_MAX} characters; shown on the class screen.",
        widget=forms.TextInput(attrs={"autocomplete": "nickname", "maxlength": live.NICKNAME_MAX}),
    )

    def clean_pin(self) -> str:
        pin = "".join(self.cleaned_data["pin"].split())
        if not pin.isdigit() or len(pin) != live.PIN_DIGITS:
            raise forms.ValidationError(f"A game PIN is {live.PIN_DIGITS} digits.")
        return pin

    def clean_nickname(self) -> str:
        try:
            return live.clean_nickname(self.cleaned_data["nickname"])
        except live.JoinRefused as refused:
            raise forms.ValidationError(str(refused)) from None

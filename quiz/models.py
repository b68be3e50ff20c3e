"""Questions, quizzes, attempts and classes.

Two kinds of question feed a quiz: *generated* ones, built on demand from facts by
:mod:`quiz.generation`, and *written* ones, which teachers write in the admin
(:class:`Question` with its :class:`Choice` rows).

An :class:`Attempt` snapshots everything a player will see (:class:`Item`) when it
starts, so later edits never change it. Each item is answered at most once: the answer
is stored by a conditional UPDATE (``answered_at IS NULL``), never read-then-write.
"""

from __future__ import annotations

import secrets
import unicodedata
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from content.models import Fact, Section, Tag, Topic

if TYPE_CHECKING:
    from django.db.models.expressions import CombinedExpression
    from django.http import HttpRequest

TEACHERS_GROUP = "Teachers"
MAX_QUIZ_QUESTIONS = 50
MIN_TIME_LIMIT_SECONDS = 10
QUESTION_COUNT_RULE = f"A quiz asks between 1 and {MAX_QUIZ_QUESTIONS} questions."


class Difficulty(models.IntegerChoices):
    EASY = 1, "Easy"
    MEDIUM = 2, "Medium"
    HARD = 3, "Hard"


class QuestionQuerySet(models.QuerySet["Question"]):
    def published(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.PUBLISHED)


def stem_key(stem: str) -> str:
    """The form of a question's stem that two copies of one question share: Unicode NFC,
    whitespace runs collapsed and trimmed, case-folded. A dossier has one question per key
    (checked by the admin form and the CSV import)."""
    return " ".join(unicodedata.normalize("NFC", stem).split()).casefold()


class Question(models.Model):
    """A multiple-choice question written by a teacher."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        ARCHIVED = "archived", "Archived (answered once, kept for its statistics)"

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="questions")
    stem = models.TextField()
    explanation = models.TextField(help_text="Why the right answer is right; shown after answering.")
    tags = models.ManyToManyField(Tag, blank=True, related_name="questions")
    difficulty = models.PositiveSmallIntegerField(choices=Difficulty.choices, default=Difficulty.MEDIUM)
    facts = models.ManyToManyField(Fact, blank=True, related_name="questions")
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="questions"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Raised by an edit once students were asked this version (quiz.reports.versions).
    version = models.PositiveSmallIntegerField(default=1, editable=False)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "pk"]

    def __str__(self) -> str:
        return self.stem[:80]


class Choice(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="choices")
    text = models.CharField(max_length=300)
    is_correct = models.BooleanField(default=False)
    note = models.CharField(max_length=300, blank=True, help_text="What this option really is (feedback).")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["question", "order", "pk"]

    def __str__(self) -> str:
        return self.text


class QuizQuerySet(models.QuerySet["Quiz"]):
    def published(self) -> QuizQuerySet:
        return self.filter(published=True)

    def public(self) -> QuizQuerySet:
        """Published and assigned to no class: an assigned quiz is that class's alone."""
        return self.published().exclude(Exists(Assignment.objects.filter(quiz=OuterRef("pk"))))


class Quiz(models.Model):
    """A playable quiz. Every dossier has a default one (see :meth:`QuizManager.default_for`)."""

    class Mix(models.TextChoices):
        GENERATED = "generated", "Generated from facts"
        WRITTEN = "written", "Written by teachers"
        BOTH = "both", "Both"

    LENGTHS = (5, 10, 20)

    slug = models.SlugField(unique=True)
    title = models.CharField(max_length=200)
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="quizzes")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes")
    question_count = models.PositiveSmallIntegerField(
        default=10,
        validators=[
            MinValueValidator(1, f"A quiz asks between 1 and {MAX_QUIZ_QUESTIONS} questions."),
            MaxValueValidator(
                MAX_QUIZ_QUESTIONS, f"A quiz asks between 1 and {MAX_QUIZ_QUESTIONS} questions."
            ),
        ],
    )
    allow_length_choice = models.BooleanField(default=True, help_text="Let players pick 5, 10 or 20.")
    mix = models.CharField(max_length=10, choices=Mix.choices, default=Mix.BOTH)
    shuffle = models.BooleanField(default=True)
    time_limit_seconds = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[
            MinValueValidator(
                MIN_TIME_LIMIT_SECONDS,
                f"A time limit must be at least {MIN_TIME_LIMIT_SECONDS} seconds; leave it empty for none.",
            )
        ],
    )
    published = models.BooleanField(default=False)
    is_default = models.BooleanField(default=False, editable=False)
    # Asks the questions its teacher picked (quiz.assignments.picks), in their order.
    hand_picked = models.BooleanField(default=False, editable=False)
    # The teacher who made it; None for the site's own quizzes (superusers' to change).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="quizzes"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QuizQuerySet.as_manager()

    class Meta:
        ordering = ["topic", "title"]
        verbose_name_plural = "quizzes"
        constraints = [
            models.UniqueConstraint(
                fields=["topic"], condition=Q(is_default=True), name="one_default_quiz_per_topic"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        # The dossier's page lists its published quizzes: render it anew.
        Topic.objects.filter(pk=self.topic_id).touch()

    def get_absolute_url(self) -> str:
        return reverse("quiz_detail", args=[self.slug])

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        topic_id = self.topic_id
        deleted = super().delete(*args, **kwargs)
        Topic.objects.filter(pk=topic_id).touch()
        return deleted

    def clean(self) -> None:
        if self.published and self.topic_id is not None and self.capacity() == 0:
            raise ValidationError(
                {
                    "published": "This quiz has no questions to ask yet: publish teacher questions "
                    "for its dossier (and tag), or let it generate questions from facts."
                }
            )

    def capacity(self, tag: Tag | None = None) -> int:
        """How many questions one play can ask at most: the published teacher questions
        and/or the facts (one generated question each) its mix draws on, with its tag and
        ``tag``. Two COUNT queries at most; the start page states the length from it."""
        if self.hand_picked:
            return self.picks.count()
        tag_ids = [pk for pk in (self.tag_id, tag.pk if tag else None) if pk]
        total = 0
        if self.mix != Quiz.Mix.GENERATED:
            written = Question.objects.published().filter(topic_id=self.topic_id)
            for pk in tag_ids:
                written = written.filter(tags=pk)
            total += written.distinct().count()
        if self.mix != Quiz.Mix.WRITTEN:
            facts = Fact.objects.filter(topic_id=self.topic_id)
            for pk in tag_ids:
                facts = facts.filter(tags=pk)
            total += facts.distinct().count()
        return total

    def is_played(self) -> bool:
        """Whether anyone has started it: a hand-built quiz's questions are then fixed."""
        return self.attempts.exists()

    def deletion_refusal(self) -> str:
        """Why the quiz may not be deleted, or "" when it may. An assigned quiz keeps its
        assignments; a played one keeps its students' attempts (deleting it would take them)."""
        classes = sorted({a.classroom.name for a in self.assignments.select_related("classroom")})
        if classes:
            return (
                f"{self.title} is assigned to {', '.join(classes)}: delete "
                f"{'that assignment' if len(classes) == 1 else 'those assignments'} first."
            )
        if self.is_played():
            return (
                f"Students have played {self.title}, and their attempts keep it: it cannot be "
                "deleted. Unpublish it (untick Publish) to take it off the site."
            )
        return ""

    @classmethod
    def default_for(cls, topic: Topic) -> Quiz:
        """The dossier's own quiz, created the first time anyone asks for it."""
        quiz, _ = cls.objects.get_or_create(
            topic=topic,
            is_default=True,
            defaults={
                "slug": topic.slug,
                "title": f"{topic.title}: trivia",
                "published": True,
                "mix": cls.Mix.BOTH,
            },
        )
        return quiz


@dataclass(frozen=True)
class Player:
    """Who is playing: a user id, or an anonymous session key (see ``Player.of``)."""

    user_id: int | None
    session_key: str

    @classmethod
    def of(cls, request: HttpRequest, *, create_session: bool = False) -> Player:
        if request.user.is_authenticated:
            return cls(user_id=request.user.pk, session_key="")
        if create_session and not request.session.session_key:
            # The session middleware only sends the cookie for a modified session.
            request.session["anonymous_player"] = True
            request.session.save()
        return cls(user_id=None, session_key=request.session.session_key or "")


def percent(score: str = "score", length: str = "length") -> CombinedExpression:
    """score / length as a percentage, in floating point on every database."""
    return Cast(F(score), models.FloatField()) * 100.0 / Cast(F(length), models.FloatField())


class AttemptQuerySet(models.QuerySet["Attempt"]):
    def ranked(self) -> AttemptQuerySet:
        """Attempts that count for a score: finished, in the Quiz or Challenge mode. A review
        of one's mistakes is practice, and a replay of a question set the player had seen
        (``Mode.REPLAY``, see :meth:`mark_replays`) counts for nothing.

        Call :meth:`close_overdue` first where the count must include timed attempts whose
        time ran out while nobody was looking.
        """
        return self.filter(
            finished_at__isnull=False,
            mode__in=(Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE),
            length__gt=0,
        )

    def scores_shown(self, now: datetime | None = None) -> AttemptQuerySet:
        """Less the attempts whose score is still hidden: an assignment that shows the right
        answers only after its due date keeps the score from its students until then too
        (:meth:`Attempt.answers_hidden`). What students see (history, leaderboards) counts
        only these; the teacher's pages count every attempt."""
        return self.exclude(answers_hidden_until__gt=now or timezone.now())

    def close_overdue(self, now: datetime | None = None) -> int:
        """Finish every timed attempt whose deadline has passed, at its deadline: an abandoned
        attempt counts as finished wherever attempts are counted. How many it closed.

        A read first (on a partial index), so a page that calls this writes nothing unless
        there is something to close.
        """
        overdue = self.filter(finished_at__isnull=True, deadline__lte=now or timezone.now())
        if not overdue.exists():
            return 0
        return overdue.update(finished_at=F("deadline"))

    def mark_replays(self, user_id: int) -> int:
        """The rule "whoever has seen a question set cannot replay it for rank", applied to
        one user's attempts: along a chain of challenges every attempt shares its
        ``question_set``, and all but the user's first attempt on a set become replays.
        Run when anonymous attempts move to an account. How many it marked."""
        sets = self.filter(user_id=user_id).values("question_set")
        later = self.filter(
            user_id=user_id, question_set__in=sets, mode__in=(Attempt.Mode.NORMAL, Attempt.Mode.CHALLENGE)
        ).exclude(
            pk__in=self.filter(user_id=user_id, question_set=OuterRef("question_set"))
            .order_by("started_at", "pk")
            .values("pk")[:1]
        )
        return self.filter(pk__in=list(later.values_list("pk", flat=True))).update(mode=Attempt.Mode.REPLAY)

    def owned_by(self, player: Player) -> AttemptQuerySet:
        """The player's attempts: ``user=<them>``, or for an anonymous player ``user=None``
        with their session key; an anonymous visitor without a session owns none.

        Ownership is part of every query, so another player's attempt is "not found",
        never "forbidden", and attempt ids leak nothing.
        """
        if player.user_id is not None:
            return self.filter(user_id=player.user_id)
        if not player.session_key:
            return self.none()
        return self.filter(user__isnull=True, session_key=player.session_key)


class Attempt(models.Model):
    """One play of a quiz by one player (a user, or an anonymous session until they sign in)."""

    class Mode(models.TextChoices):
        NORMAL = "normal", "Quiz"
        REVIEW = "review", "Review of mistakes"
        CHALLENGE = "challenge", "Challenge"
        REPLAY = "replay", "Replay of questions already seen"
        LIVE = "live", "Live game"
        STUDY = "study", "Spaced review"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="attempts"
    )
    session_key = models.CharField(max_length=64, blank=True, db_index=True)
    quiz = models.ForeignKey(Quiz, on_delete=models.CASCADE, related_name="attempts")
    tag = models.ForeignKey(Tag, null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts")
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.NORMAL)
    seed = models.BigIntegerField()
    length = models.PositiveSmallIntegerField()
    score = models.PositiveSmallIntegerField(default=0)
    answered_count = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    deadline = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    challenge_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="challenges"
    )
    share_code = models.CharField(max_length=16, unique=True, default="", blank=True)
    # The set of questions this attempt asks: its own id, or for a challenge the set of the
    # attempt it copies (so every attempt along a chain of challenges shares it).
    question_set = models.UUIDField(default=uuid.uuid4, editable=False)
    # Set for an attempt a student makes at a class assignment (quiz.assignments).
    assignment = models.ForeignKey(
        "quiz.Assignment", null=True, blank=True, on_delete=models.SET_NULL, related_name="attempts"
    )
    # The feedback says only "answer recorded" until then (an assignment's due date).
    answers_hidden_until = models.DateTimeField(null=True, blank=True)

    objects = AttemptQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at"]
        indexes = [
            models.Index(fields=["user", "-started_at"], name="attempt_user_recent"),
            models.Index(fields=["quiz", "finished_at"], name="attempt_quiz_finished"),
            models.Index(fields=["question_set", "started_at"], name="attempt_question_set"),
            # Overdue timed attempts, closed by AttemptQuerySet.close_overdue().
            models.Index(
                fields=["deadline"], condition=Q(finished_at__isnull=True), name="attempt_open_deadline"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quiz} ({self.score}/{self.length})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.share_code:
            self.share_code = secrets.token_urlsafe(9)
        if self._state.adding and self.challenge_of_id is None and self.mode != Attempt.Mode.REPLAY:
            self.question_set = self.pk
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("attempt_play", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.finished_at is not None

    @property
    def current_position(self) -> int | None:
        """The position of the first unanswered item; None when all are answered.

        Items are answered in order, so the answered ones are always ``1..answered_count``.
        """
        position = self.answered_count + 1
        return position if position <= self.length else None

    def items_to_review(self) -> models.QuerySet[Item]:
        """The items "Review my mistakes" asks again, one question each: those not answered
        right, less those from a teacher's question that has since been unpublished."""
        return (
            self.items.exclude(is_correct=True)
            .exclude(Q(question__isnull=False) & ~Q(question__status=Question.Status.PUBLISHED))
            .order_by("position")
        )

    def answers_hidden(self, now: datetime | None = None) -> bool:
        """True while an assignment keeps the right answers, and the score, from its
        students (until ``answers_hidden_until``, its due date)."""
        return self.answers_hidden_until is not None and (now or timezone.now()) < self.answers_hidden_until

    def is_expired(self, now: datetime | None = None) -> bool:
        return self.deadline is not None and (now or timezone.now()) >= self.deadline

    def finish_if_expired(self) -> bool:
        """Close the attempt if its time is up. True if it is (now) finished."""
        if self.finished_at is not None:
            return True
        if not self.is_expired():
            return False
        Attempt.objects.filter(pk=self.pk, finished_at__isnull=True).update(finished_at=self.deadline)
        self.finished_at = self.deadline
        return True


class Item(models.Model):
    """One question of an attempt, frozen when the attempt started.

    ``correct`` and ``notes`` stay on the server: templates rendered before the item is
    answered never receive them.
    """

    class Form(models.TextChoices):
        MULTIPLE_CHOICE = "multiple_choice", "Multiple choice"
        TRUE_FALSE = "true_false", "True or false"
        FIRST = "first", "Which happened first"
        ORDER = "order", "Put in order"
        NOT_BEFORE = "not_before", "Which did not happen before"
        RECALL = "recall", "Type the answer"
        MATCH = "match", "Match the pairs"

    attempt = models.ForeignKey(Attempt, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField()
    form = models.CharField(max_length=20, choices=Form.choices)
    stem = models.TextField()
    options = models.JSONField(
        help_text="The options in the order shown; for matching, the left-hand items, "
        "then the right-hand values."
    )
    correct = models.JSONField(
        help_text="Index of the right option; for ordering, the right order; for matching, "
        "each left-hand item's right-hand value (its index in the options)."
    )
    explanation = models.TextField(blank=True)
    notes = models.JSONField(default=list, blank=True, help_text="What each option really is.")
    fact = models.ForeignKey(Fact, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    # PROTECT: a question students answered keeps its statistics; it is archived, not deleted.
    question = models.ForeignKey(
        Question, null=True, blank=True, on_delete=models.PROTECT, related_name="items"
    )
    question_version = models.PositiveSmallIntegerField(null=True, blank=True)
    fact_ids = models.JSONField(default=list, blank=True)
    passage_url = models.CharField(max_length=300, blank=True)
    passage_title = models.CharField(max_length=300, blank=True)
    sources = models.JSONField(default=list, blank=True, help_text="Titles of the sources.")
    tag_slugs = models.JSONField(default=list, blank=True)
    section_slug = models.CharField(max_length=50, blank=True)
    served_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    chosen = models.JSONField(null=True, blank=True)
    is_correct = models.BooleanField(null=True, blank=True)
    # The answer's place in the player's memory cards (quiz.study.memory.catch_up): False
    # until the cards have taken it in, which happens in a batch, not in the answer's request.
    cards_updated = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["attempt", "position"]
        constraints = [
            models.UniqueConstraint(fields=["attempt", "position"], name="item_position_unique"),
        ]
        indexes = [
            # Only the answers the cards have not taken in yet: a few per player at a time.
            models.Index(
                fields=["attempt"],
                condition=models.Q(answered_at__isnull=False, cards_updated=False),
                name="item_cards_pending",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.stem[:60]}"

    @property
    def is_to_review(self) -> bool:
        """What :meth:`Attempt.items_to_review` selects, for an item already loaded (with its
        question): not answered right, and not from a teacher question unpublished since."""
        if self.is_correct:
            return False
        return self.question is None or self.question.status == Question.Status.PUBLISHED

    def mark_served(self) -> None:
        """Record when the player first saw the item (only the first time counts)."""
        if self.served_at is None:
            now = timezone.now()
            Item.objects.filter(pk=self.pk, served_at__isnull=True).update(served_at=now)
            self.served_at = now


class Classroom(models.Model):
    """A teacher's class. Students join with the join code."""

    name = models.CharField(max_length=120)
    teacher = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="classrooms")
    join_code = models.CharField(max_length=12, unique=True)
    students = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="enrolled_classrooms"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.join_code:
            self.join_code = new_join_code()
        super().save(*args, **kwargs)


def new_join_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud in class
    return "".join(secrets.choice(alphabet) for _ in range(8))


class MembershipQuerySet(models.QuerySet["Membership"]):
    def current(self) -> MembershipQuerySet:
        return self.filter(left_at__isnull=True)


class Membership(models.Model):
    classroom = models.ForeignKey(Classroom, on_delete=models.CASCADE, related_name="memberships")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    joined_at = models.DateTimeField(auto_now_add=True)
    # Leaving ends the membership; it is kept, so the teacher still sees what the student
    # played while a member (marked as a former member). Rejoining starts a new one.
    left_at = models.DateTimeField(null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["classroom", "student"], condition=Q(left_at__isnull=True), name="membership_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.student} in {self.classroom}"

    @property
    def is_current(self) -> bool:
        return self.left_at is None


class Throttle(models.Model):
    """One fixed-window request counter of :mod:`quiz.accounts.throttle` (password resets, sign-ups).

    ``key`` names what is counted: a scope and a keyed hash of the client's address or the
    email address, so the table holds neither in clear. The window runs from the first
    request counted in it to ``window_end``; a request after that starts the row over.
    Only :mod:`quiz.accounts.throttle` writes here, with one upsert per request.
    """

    key = models.CharField(max_length=100, unique=True)
    count = models.PositiveIntegerField(default=0)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField(db_index=True, help_text="When the count starts over.")

    def __str__(self) -> str:
        return f"{self.key}: {self.count} until {self.window_end:%Y-%m-%d %H:%M}"


# The areas' own models (the APIs, the live game, study) live in their areas; importing them here
# registers them with the app.
from quiz.api.models import ApiToken, TriviaToken, TriviaTokenSeen  # noqa: E402, F401
from quiz.assignments.models import Assignment  # noqa: E402
from quiz.live.models import LiveAnswer, LiveGame, LivePlayer, LiveQuestion  # noqa: E402, F401
from quiz.reports.models import AttemptCorrection, Correction, FactAnswer, Report  # noqa: E402, F401
from quiz.study.models import MemoryCard, ReviewLog, StudySettings  # noqa: E402, F401

"""factory_boy factories for every model. Each builds a valid object with its parents."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model
from factory.django import DjangoModelFactory

from content.models import Citation, Fact, Section, Source, Tag, TimelineEvent, Topic
from quiz.models import Attempt, Choice, Classroom, Item, Membership, Question, Quiz

#: The password every UserFactory user has.
PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class TagFactory(DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"tag-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())


class TopicFactory(DjangoModelFactory):
    class Meta:
        model = Topic
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"topic-{n}")
    title = factory.Sequence(lambda n: f"Topic {n}")
    summary = "A topic for tests."
    definition = "The core definition.\n\nA second paragraph."


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source

    topic = factory.SubFactory(TopicFactory)
    key = factory.Sequence(lambda n: f"source-{n}")
    title = factory.Sequence(lambda n: f"Source {n}")
    kind = Source.Kind.WEB_PAGE
    note = "What this source contributes."


class SectionFactory(DjangoModelFactory):
    class Meta:
        model = Section

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"section-{n}")
    context = factory.Sequence(lambda n: f"Context {n}")
    body = "A passage.\n\nAnother paragraph."
    order = factory.Sequence(int)


class TimelineEventFactory(DjangoModelFactory):
    class Meta:
        model = TimelineEvent

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"event-{n}")
    year = factory.Sequence(lambda n: 1800 + n)
    title = factory.Sequence(lambda n: f"Event {n}")
    summary = "Something happened."


class FactFactory(DjangoModelFactory):
    class Meta:
        model = Fact

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"fact-{n}")
    kind = Fact.Kind.YEAR
    subject = factory.Sequence(lambda n: f"the year thing {n} happened")
    answer = factory.Sequence(lambda n: str(1800 + n))
    statement = factory.LazyAttribute(lambda f: f"{f.subject.capitalize()} was {f.answer}.")


class CitationFactory(DjangoModelFactory):
    class Meta:
        model = Citation

    source = factory.SubFactory(SourceFactory)
    fact = factory.SubFactory(FactFactory)
    value = factory.LazyAttribute(lambda c: c.fact.answer if c.fact else "")


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    topic = factory.SubFactory(TopicFactory)
    stem = factory.Sequence(lambda n: f"Teacher question {n}?")
    explanation = "Because the sources say so."
    status = Question.Status.PUBLISHED


class ChoiceFactory(DjangoModelFactory):
    class Meta:
        model = Choice

    question = factory.SubFactory(QuestionFactory)
    text = factory.Sequence(lambda n: f"Choice {n}")
    order = factory.Sequence(int)


class QuizFactory(DjangoModelFactory):
    class Meta:
        model = Quiz

    topic = factory.SubFactory(TopicFactory)
    slug = factory.Sequence(lambda n: f"quiz-{n}")
    title = factory.Sequence(lambda n: f"Quiz {n}")
    published = True


class AttemptFactory(DjangoModelFactory):
    class Meta:
        model = Attempt

    quiz = factory.SubFactory(QuizFactory)
    user = factory.SubFactory(UserFactory)
    seed = factory.Sequence(int)
    length = 5


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item

    attempt = factory.SubFactory(AttemptFactory)
    position = factory.Sequence(lambda n: n + 1)
    form = Item.Form.MULTIPLE_CHOICE
    stem = "In which year did it happen?"
    options = ["1689", "1858", "1860", "1945"]
    correct = 0
    explanation = "It happened in 1689."


class ClassroomFactory(DjangoModelFactory):
    class Meta:
        model = Classroom

    name = factory.Sequence(lambda n: f"Class {n}")
    teacher = factory.SubFactory(UserFactory)


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    classroom = factory.SubFactory(ClassroomFactory)
    student = factory.SubFactory(UserFactory)

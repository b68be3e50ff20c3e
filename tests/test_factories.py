"""Every factory builds a valid, saved object: the ground the other tests stand on."""

import pytest

from tests import factories

pytestmark = pytest.mark.django_db

FACTORIES = [
    factories.UserFactory,
    factories.TagFactory,
    factories.TopicFactory,
    factories.SourceFactory,
    factories.SectionFactory,
    factories.TimelineEventFactory,
    factories.FactFactory,
    factories.CitationFactory,
    factories.QuestionFactory,
    factories.ChoiceFactory,
    factories.QuizFactory,
    factories.AttemptFactory,
    factories.ItemFactory,
    factories.ClassroomFactory,
    factories.MembershipFactory,
]


@pytest.mark.parametrize("factory_class", FACTORIES, ids=lambda f: f.__name__)
def test_factory_builds_a_valid_saved_object(factory_class):
    extra = {}
    if factory_class is factories.QuizFactory:
        # A published quiz must have something to ask: a fact on its dossier.
        extra["topic"] = factories.FactFactory().topic
    obj = factory_class(**extra)
    obj.full_clean()
    assert obj.pk is not None

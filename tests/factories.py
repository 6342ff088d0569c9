import factory
from factory.django import DjangoModelFactory

from accounts.models import User
from journal import services
from journal.models import CommentAccess, Journal, Post
from journal.sanitize import clean_post_body

PASSWORD = "correct-horse-battery"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: f"{o.username.title()} Display")
    email = ""
    # Addresses given to the factory count as confirmed; tests of unconfirmed
    # addresses pass confirmed_email="".
    confirmed_email = factory.SelfAttribute("email")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class JournalFactory(DjangoModelFactory):
    class Meta:
        model = Journal

    name = factory.Sequence(lambda n: f"journal_{n}")
    title = factory.LazyAttribute(lambda o: f"The {o.name} journal")
    owner = factory.SubFactory(UserFactory, is_staff=True)
    comment_access = CommentAccess.ANYONE


class PostFactory(DjangoModelFactory):
    class Meta:
        model = Post

    journal = factory.SubFactory(JournalFactory)
    title = factory.Sequence(lambda n: f"Post number {n}")
    body_source = "<p>Body of the post.</p>"
    body_html = factory.LazyAttribute(lambda o: clean_post_body(o.body_source))


class CommentFactory(factory.Factory):
    """Comments are stored the way the service stores them (path included)."""

    class Meta:
        model = dict

    post = factory.SubFactory(PostFactory)
    parent = None
    author = factory.SubFactory(UserFactory)
    body_source = factory.Sequence(lambda n: f"Comment text {n}")
    subject = ""

    @classmethod
    def _create(cls, model_class, **kwargs):
        return services.store_comment(**kwargs)

    @classmethod
    def _build(cls, model_class, **kwargs):
        raise NotImplementedError("Comments only exist once stored; use create().")


def human_form_fields(post, seconds_ago: float = 30) -> dict[str, str]:
    """The anti-bot fields of an anonymous comment form on ``post`` filled in by
    a person (a fresh challenge each call: each one posts one comment)."""
    import time

    from moderation import antibot

    return {"started": antibot.issue(post.pk, time.time() - seconds_ago), "website": ""}


def human_api_fields(post, seconds_ago: float = 30) -> dict[str, str]:
    """The challenge an anonymous API client fetched ``seconds_ago``."""
    import time

    from moderation import antibot

    return {"challenge": antibot.issue(post.pk, time.time() - seconds_ago)}

"""Create demo journals, posts, users and a threaded discussion, with word lists,
held comments and a report for the moderation queue. Safe to re-run.

Here, in the plugin, because the demo shows moderation too; the platform's
part of it (posts, comments) goes through ``journal.services``."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from journal import demo_content, services
from journal.models import Comment, CommentAccess, CommentState, Journal, Post
from moderation.models import Report, WordRule
from moderation.services import record_rule_set

# Demo accounts with known passwords, printed so a newcomer can log in.
DEMO_USERS = {
    "owner": {
        "display_name": "Mira Okafor",
        "password": "owner-demo-2026",
        "is_staff": True,
    },
    "moderator": {"display_name": "Dan Moderator", "password": "moderator-demo-2026"},
    "reader": {"display_name": "Riley Reader", "password": "reader-demo-2026"},
    "gardener": {
        "display_name": "Ada Green",
        "password": "gardener-demo-2026",
        "is_staff": True,
    },
}
EXTRA_COMMENTERS = {
    "quaywalker": "Quay Walker",
    "lanternfan": "Lantern Fan",
    "ferrynerd": "Ferry Nerd",
    "marta_k": "Marta K.",
    "oldsalt": "Old Salt",
}


class Command(BaseCommand):
    help = "Create demo journals, posts, comments and users (idempotent)."

    def handle(self, *args, **options):
        with transaction.atomic():
            users = self._users()
            news, garden = self._journals(users)
            news_post = self._post(
                news,
                demo_content.NEWS_POST_TITLE,
                demo_content.NEWS_POST_BODY,
                demo_content.NEWS_POST_TAGS,
                days_ago=1,
            )
            self._older_news_posts(news)
            self._discussion(news_post, demo_content.NEWS_DISCUSSION, users)
            garden_post = self._post(
                garden,
                demo_content.GARDEN_POST_TITLE,
                demo_content.GARDEN_POST_BODY,
                demo_content.GARDEN_POST_TAGS,
                days_ago=2,
            )
            self._discussion(garden_post, demo_content.GARDEN_DISCUSSION, users)
            self._waiting_for_moderators(news_post, garden_post, users)

        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(
            f"  News journal:   /{news.name}/  ->  {news_post.get_absolute_url()}"
        )
        self.stdout.write(
            f"  Open journal:   /{garden.name}/  ->  {garden_post.get_absolute_url()}"
        )
        self.stdout.write("  Log in at /accounts/login/ with:")
        for username, spec in DEMO_USERS.items():
            self.stdout.write(f"    {username:<10} password: {spec['password']}")
        self.stdout.write(
            "  (owner and gardener can use /admin/ for their own journals)"
        )

    def _users(self) -> dict[str, User]:
        users = {}
        for username, spec in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=username)
            user.display_name = spec["display_name"]
            user.is_staff = spec.get("is_staff", False)
            # Confirmed, so that dev.sh's console shows the mail they would get.
            user.email = user.confirmed_email = f"{username}@example.org"
            user.set_password(spec["password"])
            user.save()
            users[username] = user
        for username, display_name in EXTRA_COMMENTERS.items():
            user, created = User.objects.get_or_create(
                username=username, defaults={"display_name": display_name}
            )
            if created:
                user.set_unusable_password()
                user.save()
            users[username] = user
        return users

    def _journals(self, users):
        news, _ = Journal.objects.update_or_create(
            name="dailydigest",
            defaults={
                "title": "Daily Digest",
                "description": "News from around the city, reposted with a comment.",
                "owner": users["owner"],
                "comment_access": CommentAccess.REGISTERED,
            },
        )
        news.moderators.add(users["moderator"])
        news.members.add(users["reader"], users["marta_k"])
        garden, _ = Journal.objects.update_or_create(
            name="allotment",
            defaults={
                "title": "Allotment Notes",
                "description": "A small garden diary. Anyone may leave a comment.",
                "owner": users["gardener"],
                "comment_access": CommentAccess.ANYONE,
            },
        )
        garden.moderators.add(users["moderator"])
        for phrase, kind, substring in (
            ("casino", WordRule.Kind.BLOCK, True),
            ("crypto giveaway", WordRule.Kind.BLOCK, False),
            ("free money", WordRule.Kind.HOLD, False),
        ):
            WordRule.objects.update_or_create(
                journal=news,
                phrase=phrase,
                defaults={"kind": kind, "substring": substring},
            )
        record_rule_set(news, by=users["owner"])
        record_rule_set(garden, by=users["gardener"])
        return news, garden

    def _post(self, journal, title, body, tags, *, days_ago):
        post = Post.objects.filter(journal=journal, title=title).first()
        if post is None:
            post = Post(
                journal=journal,
                title=title,
                published_at=timezone.now() - timedelta(days=days_ago),
            )
        post.body_source = body
        return services.save_post(post=post, tag_names=tags)

    def _older_news_posts(self, journal):
        for index in range(1, 13):
            self._post(
                journal,
                f"City council notes, week {index}",
                f"<p>Short notes from council meeting number {index}: budgets, "
                "bus lanes and the library roof.</p>",
                ["local news", "council"],
                days_ago=3 + index,
            )

    def _waiting_for_moderators(self, news_post, garden_post, users):
        """A few held comments and an open report, so the queue has work."""
        if Comment.objects.filter(state=CommentState.HELD).exists():
            return
        link_reason = {
            "code": "links.too_many",
            "action": "hold",
            "message": "The comment has 3 links; comments with 2 or more links "
            "wait for a moderator",
        }
        word_reason = {
            "code": "words.held",
            "action": "hold",
            "message": "The comment contains “Free Money”, which a moderator "
            "reviews first",
            "matched": "Free Money",
            "entry": "free money",
        }
        for post, author, name, body, reason in (
            (
                news_post,
                users["quaywalker"],
                "",
                "Tickets at https://a.example.org, "
                "https://b.example.org and https://c.example.org",
                link_reason,
            ),
            (
                news_post,
                users["ferrynerd"],
                "",
                "Free Money for every visitor!",
                word_reason,
            ),
            (
                garden_post,
                None,
                "Seed seller",
                "Cheap seeds: https://seeds.example and https://more-seeds.example",
                link_reason,
            ),
        ):
            services.store_comment(
                post=post,
                parent=None,
                author=author,
                author_name=name,
                body_source=body,
                state=CommentState.HELD,
                reasons=[reason],
            )
        flagged = news_post.comments.get(body_source__startswith="Confirmed, I stood")
        Report.objects.get_or_create(
            comment=flagged,
            reporter=users["marta_k"],
            defaults={
                "journal": flagged.journal,
                "reason": "off_topic",
                "note": "Trombones are off-topic",
            },
        )

    def _discussion(self, post, discussion, users):
        if post.comments.exists():
            return
        # Demo comments skip the rules (the demo journal refuses anonymous comments,
        # yet the garden one shows how they look) but are stored and sanitized the
        # same way; their dates are spread out to read like a real discussion.
        created: list[Comment] = []
        start = post.published_at + timedelta(minutes=20)
        for index, (username, subject, body, parent_index) in enumerate(discussion):
            parent = created[parent_index] if parent_index is not None else None
            comment = services.store_comment(
                post=post,
                parent=parent,
                author=users[username] if username else None,
                author_name="" if username else "Passing gardener",
                subject=subject,
                body_source=body,
                created_at=start + timedelta(minutes=7 * index),
            )
            created.append(comment)

# Labels only (verbose names, for translation): no change to the database.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("journal", "0009_comment_count_and_frozen_indexes"),
        ("moderation", "0007_spam_prior"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="comment",
            options={
                "ordering": ["path"],
                "verbose_name": "comment",
                "verbose_name_plural": "comments",
            },
        ),
        migrations.AlterModelOptions(
            name="commentrevision",
            options={
                "ordering": ["comment", "number"],
                "verbose_name": "comment revision",
                "verbose_name_plural": "comment revisions",
            },
        ),
        migrations.AlterModelOptions(
            name="journal",
            options={
                "ordering": ["name"],
                "verbose_name": "journal",
                "verbose_name_plural": "journals",
            },
        ),
        migrations.AlterModelOptions(
            name="post",
            options={
                "ordering": ["-published_at", "-id"],
                "verbose_name": "post",
                "verbose_name_plural": "posts",
            },
        ),
        migrations.AlterModelOptions(
            name="tag",
            options={
                "ordering": ["name"],
                "verbose_name": "tag",
                "verbose_name_plural": "tags",
            },
        ),
        migrations.AlterField(
            model_name="comment",
            name="author",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to=settings.AUTH_USER_MODEL,
                verbose_name="author",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="created at",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="edited_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="edited at"
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="journal",
            field=models.ForeignKey(
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to="journal.journal",
                verbose_name="journal",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="parent",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="replies",
                to="journal.comment",
                verbose_name="parent",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="post",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to="journal.post",
                verbose_name="post",
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="revision",
            field=models.PositiveIntegerField(
                default=1, editable=False, verbose_name="revision"
            ),
        ),
        migrations.AlterField(
            model_name="comment",
            name="rule_set_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="comments",
                to="moderation.rulesetversion",
                verbose_name="rule set version",
            ),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="body_html",
            field=models.TextField(verbose_name="body html"),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="body_source",
            field=models.TextField(verbose_name="body source"),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="number",
            field=models.PositiveIntegerField(verbose_name="number"),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="reasons"),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="replaced_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now, verbose_name="replaced at"
            ),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="state",
            field=models.CharField(
                choices=[
                    ("published", "Published"),
                    ("held", "Held for moderation"),
                    ("rejected", "Rejected"),
                    ("spam", "Spam"),
                    ("deleted", "Deleted by its author"),
                    ("removed", "Removed with its thread by a moderator"),
                ],
                max_length=16,
                verbose_name="state",
            ),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="subject",
            field=models.CharField(blank=True, max_length=100, verbose_name="subject"),
        ),
        migrations.AlterField(
            model_name="commentrevision",
            name="written_at",
            field=models.DateTimeField(verbose_name="written at"),
        ),
        migrations.AlterField(
            model_name="journal",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="created at",
            ),
        ),
        migrations.AlterField(
            model_name="journal",
            name="members",
            field=models.ManyToManyField(
                blank=True,
                help_text="Trusted commenters. Used when only members may comment.",
                related_name="member_of_journals",
                to=settings.AUTH_USER_MODEL,
                verbose_name="members",
            ),
        ),
        migrations.AlterField(
            model_name="journal",
            name="moderators",
            field=models.ManyToManyField(
                blank=True,
                help_text="People who may moderate comments here besides the owner.",
                related_name="moderated_journals",
                to=settings.AUTH_USER_MODEL,
                verbose_name="moderators",
            ),
        ),
        migrations.AlterField(
            model_name="journal",
            name="owner",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="owned_journals",
                to=settings.AUTH_USER_MODEL,
                verbose_name="owner",
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="created_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                editable=False,
                verbose_name="created at",
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="journal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="posts",
                to="journal.journal",
                verbose_name="journal",
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="tags",
            field=models.ManyToManyField(
                blank=True, related_name="posts", to="journal.tag", verbose_name="tags"
            ),
        ),
        migrations.AlterField(
            model_name="post",
            name="updated_at",
            field=models.DateTimeField(auto_now=True, verbose_name="updated at"),
        ),
        migrations.AlterField(
            model_name="tag",
            name="journal",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="tags",
                to="journal.journal",
                verbose_name="journal",
            ),
        ),
    ]

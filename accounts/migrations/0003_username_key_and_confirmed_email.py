from django.db import migrations, models

import accounts.models
from journal.confusables import skeleton


def fill_name_keys(apps, schema_editor):
    """Existing accounts get their keys; where two already look alike, the later
    one's key is made distinct (it keeps its name, but no new account may look
    like either)."""
    User = apps.get_model("accounts", "User")
    taken, shown = set(), set()
    for user in User.objects.order_by("pk").iterator():
        key = skeleton(user.username)[:150]
        if key in taken:
            key = f"{key[:130]}#{user.pk}"
        taken.add(key)
        display = skeleton(user.display_name)[:255] or None
        if display in shown:
            display = None
        shown.add(display)
        User.objects.filter(pk=user.pk).update(username_key=key, display_key=display)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_api_tokens"),
    ]

    operations = [
        migrations.AlterModelManagers(
            name="user",
            managers=[
                ("objects", accounts.models.AccountManager()),
            ],
        ),
        migrations.AddField(
            model_name="user",
            name="confirmed_email",
            field=models.EmailField(blank=True, editable=False, max_length=254),
        ),
        migrations.AddField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, null=True),
        ),
        migrations.AddField(
            model_name="user",
            name="display_key",
            field=models.CharField(
                blank=True, editable=False, max_length=255, null=True, unique=True
            ),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, unique=True),
        ),
    ]

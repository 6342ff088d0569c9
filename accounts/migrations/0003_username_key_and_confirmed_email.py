from django.db import migrations, models

import accounts.models
from journal.confusables import skeleton


def fill_username_keys(apps, schema_editor):
    """Existing accounts get their key; where two already look alike, the later
    one's key is made distinct (it keeps its name, but no new account may look
    like either)."""
    User = apps.get_model("accounts", "User")
    taken = set()
    for user in User.objects.order_by("pk").iterator():
        key = skeleton(user.username)
        if key in taken:
            key = f"{key}#{user.pk}"[:150]
        taken.add(key)
        User.objects.filter(pk=user.pk).update(username_key=key)


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
        migrations.RunPython(fill_username_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="user",
            name="username_key",
            field=models.CharField(editable=False, max_length=150, unique=True),
        ),
    ]

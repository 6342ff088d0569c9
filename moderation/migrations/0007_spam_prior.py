"""The site-wide spam model's starting point, counted from the seed examples in
moderation/data/spam_seed.tsv (scope 0)."""

from django.db import migrations

from moderation import spam


def load_prior(apps, schema_editor):
    SpamTokenCount = apps.get_model("moderation", "SpamTokenCount")
    counts = spam.count_examples(spam.read_examples())
    SpamTokenCount.objects.bulk_create(
        SpamTokenCount(scope=0, token=token, spam=spam_count, ham=ham_count)
        for token, (spam_count, ham_count) in counts.items()
    )


def unload_prior(apps, schema_editor):
    apps.get_model("moderation", "SpamTokenCount").objects.filter(scope=0).delete()


class Migration(migrations.Migration):
    dependencies = [("moderation", "0006_spam_model_and_report_weight")]

    operations = [migrations.RunPython(load_prior, unload_prior)]

"""Staff calendar feeds keep only a hash of their secret. The secrets already handed out are
hashed in place, so every feed address in use keeps working.

Plain SQL (PostgreSQL's own sha256(), no extension), the same digest as
`models.calendar_token_hash`; on an empty schema (a new business's recording) it changes
nothing. The plain secrets are gone afterwards, so this cannot be undone."""

from django.db import migrations, models

HASH_EXISTING = """
UPDATE appointments_staffmember
SET calendar_token_hash = encode(sha256(convert_to(calendar_token, 'UTF8')), 'hex')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("appointments", "0002_recall_daily_run"),
    ]

    operations = [
        migrations.AddField(
            model_name="staffmember",
            name="calendar_token_hash",
            field=models.CharField(
                blank=True, editable=False, max_length=64, null=True, unique=True
            ),
        ),
        migrations.RunSQL(HASH_EXISTING),
        migrations.RemoveField(model_name="staffmember", name="calendar_token"),
    ]

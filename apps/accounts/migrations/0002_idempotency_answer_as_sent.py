import django.db.models.functions.datetime
from django.db import migrations, models


class Migration(migrations.Migration):
    """Idempotent answers are kept as the bytes that went out (JSON with a NUL in a string
    cannot be stored as jsonb), and an in-flight record says when its request started."""

    dependencies = [
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="idempotencyrecord",
            name="response_content",
            field=models.BinaryField(null=True),
        ),
        migrations.AddField(
            model_name="idempotencyrecord",
            name="started_at",
            field=models.DateTimeField(db_default=django.db.models.functions.datetime.Now()),
        ),
        migrations.RunSQL(
            [
                # records stuck in flight from before become retryable at once
                "UPDATE accounts_idempotencyrecord SET started_at = created",
                "UPDATE accounts_idempotencyrecord"
                " SET response_content = convert_to(response_body::text, 'UTF8')"
                " WHERE response_body IS NOT NULL",
            ],
            migrations.RunSQL.noop,
        ),
        migrations.RemoveField(
            model_name="idempotencyrecord",
            name="response_body",
        ),
    ]

"""Subscriber cursors, and the storing transaction's id on every timeline event.

Events stored before this migration get txid 0 (a constant default adds the column without
rewriting the table); new rows take the inserting transaction's id.
"""

from django.conf import settings
from django.db import migrations, models

import apps.contacts.models


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0003_contact_no_shows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SubscriberCursor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True)),
                ("txid", models.BigIntegerField(default=0)),
                ("event_id", models.BigIntegerField(default=0)),
                ("failures", models.PositiveIntegerField(default=0)),
                ("last_error", models.TextField(blank=True)),
                ("retry_at", models.DateTimeField(blank=True, null=True)),
                ("updated", models.DateTimeField(auto_now=True)),
            ],
        ),
        migrations.AddField(
            model_name="timelineevent",
            name="txid",
            field=models.BigIntegerField(db_default=0, editable=False),
        ),
        migrations.AlterField(
            model_name="timelineevent",
            name="txid",
            field=models.BigIntegerField(
                db_default=apps.contacts.models.CurrentTxid(), editable=False
            ),
        ),
        migrations.AddIndex(
            model_name="timelineevent",
            index=models.Index(fields=["txid", "id"], name="contacts_event_txid"),
        ),
    ]

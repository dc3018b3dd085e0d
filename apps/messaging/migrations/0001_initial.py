import datetime

import django.db.models.deletion
from django.db import migrations, models

from cxsuite.lib.migrations import CreateModels


class Migration(migrations.Migration):
    initial = True
    dependencies = [("contacts", "0001_initial")]
    operations = [
        CreateModels(
            [
                migrations.CreateModel(
                    name="MessagingSettings",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "quiet_start",
                            models.TimeField(
                                default=datetime.time(21, 0), verbose_name="quiet hours start"
                            ),
                        ),
                        (
                            "quiet_end",
                            models.TimeField(
                                default=datetime.time(8, 0), verbose_name="quiet hours end"
                            ),
                        ),
                        (
                            "marketing_cap_per_week",
                            models.PositiveSmallIntegerField(
                                default=2, verbose_name="marketing messages per contact per week"
                            ),
                        ),
                        (
                            "email_fallback_hours",
                            models.PositiveSmallIntegerField(
                                default=24,
                                verbose_name="send by SMS when an important email is not opened within (hours)",
                            ),
                        ),
                        (
                            "sms_provider",
                            models.CharField(
                                choices=[
                                    ("outbox", "Outbox (nothing leaves; shown under Outbox)"),
                                    ("twilio", "Twilio"),
                                ],
                                default="outbox",
                                max_length=10,
                            ),
                        ),
                        (
                            "voice_provider",
                            models.CharField(
                                choices=[
                                    ("outbox", "Outbox (nothing leaves; shown under Outbox)"),
                                    ("twilio", "Twilio"),
                                ],
                                default="outbox",
                                max_length=10,
                            ),
                        ),
                        (
                            "provider_account",
                            models.CharField(blank=True, max_length=64, verbose_name="account id"),
                        ),
                        ("provider_secret_encrypted", models.TextField(blank=True)),
                        (
                            "provider_from_number",
                            models.CharField(
                                blank=True, max_length=20, verbose_name="sending number"
                            ),
                        ),
                        (
                            "email_from",
                            models.EmailField(
                                blank=True, max_length=254, verbose_name="sender address"
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Template",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("purpose", models.SlugField(max_length=60)),
                        (
                            "channel",
                            models.CharField(
                                choices=[("email", "Email"), ("sms", "SMS"), ("voice", "Voice")],
                                max_length=8,
                            ),
                        ),
                        ("language", models.CharField(max_length=8)),
                        ("subject", models.CharField(blank=True, max_length=200)),
                        ("body", models.TextField()),
                        ("updated", models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        "ordering": ["purpose", "channel", "language"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("purpose", "channel", "language"),
                                name="messaging_template_unique",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ChannelStats",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("email", "Email"), ("sms", "SMS"), ("voice", "Voice")],
                                max_length=8,
                            ),
                        ),
                        ("sent", models.PositiveIntegerField(default=0)),
                        ("delivered", models.PositiveIntegerField(default=0)),
                        ("answered", models.PositiveIntegerField(default=0)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="channel_stats",
                                to="contacts.contact",
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("contact", "channel"), name="messaging_stats_unique"
                            )
                        ]
                    },
                ),
                migrations.CreateModel(
                    name="InboundMessage",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("from_number", models.CharField(max_length=20)),
                        ("body", models.TextField()),
                        ("handled_as", models.CharField(blank=True, max_length=12)),
                        ("provider_message_id", models.CharField(blank=True, max_length=100)),
                        ("received_at", models.DateTimeField(auto_now_add=True)),
                        ("read_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "contact",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                to="contacts.contact",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-received_at"],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("provider_message_id", ""), _negated=True),
                                fields=("provider_message_id",),
                                name="messaging_inbound_provider_id",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Message",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("purpose", models.SlugField(max_length=60)),
                        (
                            "category",
                            models.CharField(
                                choices=[
                                    ("transactional", "Transactional"),
                                    ("marketing", "Marketing"),
                                ],
                                max_length=14,
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("email", "Email"), ("sms", "SMS"), ("voice", "Voice")],
                                max_length=8,
                            ),
                        ),
                        ("language", models.CharField(blank=True, max_length=8)),
                        ("to", models.CharField(blank=True, max_length=254)),
                        ("subject", models.CharField(blank=True, max_length=200)),
                        ("body", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("queued", "Queued"),
                                    ("deferred", "Deferred"),
                                    ("suppressed", "Not sent"),
                                    ("sent", "Sent"),
                                    ("delivered", "Delivered"),
                                    ("failed", "Failed"),
                                    ("opened", "Opened"),
                                    ("clicked", "Clicked"),
                                    ("replied", "Replied"),
                                ],
                                default="queued",
                                max_length=12,
                            ),
                        ),
                        ("reason", models.CharField(blank=True, max_length=300)),
                        ("dedupe_key", models.CharField(blank=True, max_length=150)),
                        ("provider", models.CharField(blank=True, max_length=10)),
                        ("provider_message_id", models.CharField(blank=True, max_length=100)),
                        ("related_type", models.CharField(blank=True, max_length=40)),
                        ("related_id", models.CharField(blank=True, max_length=40)),
                        ("scheduled_for", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("delivered_at", models.DateTimeField(blank=True, null=True)),
                        ("opened_at", models.DateTimeField(blank=True, null=True)),
                        ("clicked_at", models.DateTimeField(blank=True, null=True)),
                        ("replied_at", models.DateTimeField(blank=True, null=True)),
                        ("attempts", models.PositiveSmallIntegerField(default=0)),
                        ("error", models.CharField(blank=True, max_length=300)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="messages",
                                to="contacts.contact",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["contact", "-created"], name="messaging_contact_recent"
                            ),
                            models.Index(
                                fields=["provider_message_id"], name="messaging_provider_id"
                            ),
                            models.Index(
                                fields=["status", "-created"], name="messaging_status_recent"
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("dedupe_key", ""), _negated=True),
                                fields=("dedupe_key",),
                                name="messaging_dedupe_key",
                            )
                        ],
                    },
                ),
            ]
        )
    ]

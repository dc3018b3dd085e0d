import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from cxsuite.lib.migrations import CreateModels


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contacts", "0005_importjob_file_defaults"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        CreateModels(
            [
                migrations.CreateModel(
                    name="Topic",
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
                        ("key", models.SlugField(max_length=40, unique=True, verbose_name="key")),
                        ("name", models.CharField(max_length=80, verbose_name="name")),
                        (
                            "description",
                            models.CharField(
                                blank=True, max_length=200, verbose_name="description"
                            ),
                        ),
                        ("created", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={
                        "ordering": ["name"],
                    },
                ),
                migrations.CreateModel(
                    name="Campaign",
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
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "channel",
                            models.CharField(
                                choices=[
                                    ("email", "E-mail"),
                                    ("sms", "SMS"),
                                    ("best", "Best channel per contact"),
                                ],
                                default="email",
                                max_length=8,
                                verbose_name="channel",
                            ),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("draft", "Draft"),
                                    ("scheduled", "Scheduled"),
                                    ("sending", "Sending"),
                                    ("paused", "Paused"),
                                    ("done", "Done"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="draft",
                                max_length=10,
                            ),
                        ),
                        (
                            "schedule",
                            models.CharField(
                                choices=[
                                    ("now", "Now"),
                                    ("at", "At a time"),
                                    ("local", "At a time in each contact's own zone"),
                                ],
                                default="now",
                                max_length=8,
                                verbose_name="when",
                            ),
                        ),
                        (
                            "send_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="send at"),
                        ),
                        (
                            "local_time",
                            models.TimeField(blank=True, null=True, verbose_name="local time"),
                        ),
                        (
                            "passed_hour",
                            models.CharField(
                                choices=[
                                    ("now", "Send at once"),
                                    ("next_day", "Send the next day at that hour"),
                                ],
                                default="next_day",
                                max_length=10,
                                verbose_name="where that hour has passed",
                            ),
                        ),
                        (
                            "throttle_per_minute",
                            models.PositiveIntegerField(
                                default=0, verbose_name="messages per minute"
                            ),
                        ),
                        (
                            "send_by",
                            models.DateTimeField(blank=True, null=True, verbose_name="send by"),
                        ),
                        (
                            "ab_share",
                            models.PositiveSmallIntegerField(
                                default=0, verbose_name="test share (%)"
                            ),
                        ),
                        (
                            "winner_metric",
                            models.CharField(
                                choices=[
                                    ("opens", "Human opens"),
                                    ("clicks", "Clicks"),
                                    ("conversions", "Conversions"),
                                    ("manual", "Chosen by hand"),
                                ],
                                default="opens",
                                max_length=12,
                                verbose_name="winner by",
                            ),
                        ),
                        (
                            "winner_wait_hours",
                            models.PositiveSmallIntegerField(
                                default=4, verbose_name="wait before choosing (h)"
                            ),
                        ),
                        (
                            "conversion_days",
                            models.PositiveSmallIntegerField(
                                default=7, verbose_name="conversion window (days)"
                            ),
                        ),
                        ("bounce_pause_rate", models.FloatField(default=0.05)),
                        ("complaint_pause_rate", models.FloatField(default=0.002)),
                        ("pause_reason", models.CharField(blank=True, max_length=300)),
                        ("follow_up_kind", models.CharField(blank=True, max_length=12)),
                        ("web_token", models.CharField(max_length=32, unique=True)),
                        ("started_at", models.DateTimeField(blank=True, null=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "excluded_segments",
                            models.ManyToManyField(
                                blank=True, related_name="+", to="contacts.segment"
                            ),
                        ),
                        (
                            "follow_up_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="follow_ups",
                                to="campaigns.campaign",
                            ),
                        ),
                        (
                            "segments",
                            models.ManyToManyField(
                                blank=True, related_name="campaigns", to="contacts.segment"
                            ),
                        ),
                        (
                            "topic",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="campaigns",
                                to="campaigns.topic",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-created", "-pk"],
                    },
                ),
                migrations.CreateModel(
                    name="Recipient",
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
                        ("address", models.CharField(max_length=254)),
                        ("channel", models.CharField(blank=True, max_length=8)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting"),
                                    ("test", "In the A/B test, waiting"),
                                    ("held", "Held for the A/B winner"),
                                    ("sent", "Sent"),
                                    ("deferred", "Deferred by quiet hours"),
                                    ("skipped", "Not sent"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        (
                            "reason",
                            models.CharField(
                                blank=True,
                                choices=[
                                    ("no_consent", "No consent"),
                                    ("capped", "Frequency cap reached"),
                                    ("suppressed", "Address suppressed"),
                                    ("bounced", "Bounced"),
                                    ("deadline", "Send-by deadline passed"),
                                    ("no_address", "No address"),
                                    ("topic", "Unsubscribed from the topic"),
                                    ("refused", "Refused by the provider"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("detail", models.CharField(blank=True, max_length=300)),
                        ("due_at", models.DateTimeField()),
                        ("message_id", models.BigIntegerField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("delivered_at", models.DateTimeField(blank=True, null=True)),
                        ("bounced_at", models.DateTimeField(blank=True, null=True)),
                        ("opened_at", models.DateTimeField(blank=True, null=True)),
                        ("machine_opened_at", models.DateTimeField(blank=True, null=True)),
                        ("clicked_at", models.DateTimeField(blank=True, null=True)),
                        ("replied_at", models.DateTimeField(blank=True, null=True)),
                        ("unsubscribed_at", models.DateTimeField(blank=True, null=True)),
                        ("complained_at", models.DateTimeField(blank=True, null=True)),
                        ("converted_at", models.DateTimeField(blank=True, null=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="recipients",
                                to="campaigns.campaign",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="contacts.contact",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Open",
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
                        ("at", models.DateTimeField()),
                        ("user_agent", models.CharField(blank=True, max_length=300)),
                        ("machine", models.BooleanField(default=False)),
                        ("machine_reason", models.CharField(blank=True, max_length=80)),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="opens",
                                to="campaigns.recipient",
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Variant",
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
                        ("label", models.CharField(max_length=1)),
                        (
                            "subject",
                            models.CharField(blank=True, max_length=200, verbose_name="subject"),
                        ),
                        (
                            "sender_name",
                            models.CharField(blank=True, max_length=80, verbose_name="sender name"),
                        ),
                        ("blocks", models.JSONField(blank=True, default=list)),
                        ("sms_text", models.TextField(blank=True, verbose_name="text message")),
                        (
                            "campaign",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="variants",
                                to="campaigns.campaign",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["campaign", "label"],
                    },
                ),
            ]
        ),
        migrations.AddField(
            model_name="recipient",
            name="variant",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="recipients",
                to="campaigns.variant",
            ),
        ),
        migrations.AddField(
            model_name="campaign",
            name="winner",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="campaigns.variant",
            ),
        ),
        migrations.CreateModel(
            name="Click",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("url", models.URLField(max_length=2000)),
                ("at", models.DateTimeField()),
                ("user_agent", models.CharField(blank=True, max_length=300)),
                ("machine", models.BooleanField(default=False)),
                ("machine_reason", models.CharField(blank=True, max_length=80)),
                (
                    "recipient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clicks",
                        to="campaigns.recipient",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["recipient", "url"], name="campaigns_click_link")],
            },
        ),
        migrations.CreateModel(
            name="Suppression",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("address", models.CharField(max_length=64, unique=True)),
                ("soft_bounces", models.PositiveSmallIntegerField(default=0)),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("hard_bounce", "Hard bounce"),
                            ("soft_bounces", "Soft bounces in a row"),
                            ("complaint", "Spam complaint"),
                        ],
                        max_length=12,
                    ),
                ),
                ("suppressed_at", models.DateTimeField(blank=True, null=True)),
                ("updated", models.DateTimeField(auto_now=True)),
                (
                    "contact",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(
                        condition=models.Q(("reason__gt", "")),
                        fields=["address"],
                        name="campaigns_suppressed",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TopicOptOut",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "contact",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="contacts.contact",
                    ),
                ),
                (
                    "topic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opt_outs",
                        to="campaigns.topic",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("topic", "contact"), name="campaigns_topic_opt_out"
                    )
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="variant",
            constraint=models.UniqueConstraint(
                fields=("campaign", "label"), name="campaigns_variant_label"
            ),
        ),
        migrations.AddConstraint(
            model_name="variant",
            constraint=models.CheckConstraint(
                condition=models.Q(("label__in", ["A", "B", "C", "D"])),
                name="campaigns_variant_abcd",
            ),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(
                fields=["campaign", "status", "due_at"], name="campaigns_recipient_due"
            ),
        ),
        migrations.AddIndex(
            model_name="recipient",
            index=models.Index(fields=["message_id"], name="campaigns_recipient_message"),
        ),
        migrations.AddConstraint(
            model_name="recipient",
            constraint=models.UniqueConstraint(
                fields=("campaign", "contact"), name="campaigns_one_per_contact"
            ),
        ),
        migrations.AddConstraint(
            model_name="recipient",
            constraint=models.UniqueConstraint(
                fields=("campaign", "address"), name="campaigns_one_per_address"
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(("ab_share__lte", 100)), name="campaigns_ab_share_percent"
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("schedule", "at"), _negated=True),
                    ("send_at__isnull", False),
                    _connector="OR",
                ),
                name="campaigns_at_has_time",
            ),
        ),
        migrations.AddConstraint(
            model_name="campaign",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("schedule", "local"), _negated=True),
                    models.Q(("local_time__isnull", False), ("send_at__isnull", False)),
                    _connector="OR",
                ),
                name="campaigns_local_has_time",
            ),
        ),
    ]

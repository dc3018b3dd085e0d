import django.contrib.postgres.fields
import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.deletion
import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models

from cxsuite.lib.migrations import CreateModels


class Migration(migrations.Migration):
    initial = True
    dependencies = [("accounts", "__first__")]
    operations = [
        CreateModels(
            [
                migrations.CreateModel(
                    name="Contact",
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
                            "first_name",
                            models.CharField(blank=True, max_length=80, verbose_name="first name"),
                        ),
                        (
                            "last_name",
                            models.CharField(blank=True, max_length=80, verbose_name="last name"),
                        ),
                        (
                            "email",
                            models.EmailField(blank=True, max_length=254, verbose_name="email"),
                        ),
                        (
                            "phone",
                            models.CharField(
                                blank=True, max_length=20, verbose_name="mobile phone"
                            ),
                        ),
                        (
                            "phone_national",
                            models.CharField(blank=True, editable=False, max_length=20),
                        ),
                        (
                            "address_line",
                            models.CharField(blank=True, max_length=200, verbose_name="address"),
                        ),
                        ("city", models.CharField(blank=True, max_length=80, verbose_name="city")),
                        (
                            "postal_code",
                            models.CharField(blank=True, max_length=20, verbose_name="postal code"),
                        ),
                        (
                            "country",
                            models.CharField(blank=True, max_length=2, verbose_name="country"),
                        ),
                        (
                            "birthday",
                            models.DateField(blank=True, null=True, verbose_name="birthday"),
                        ),
                        (
                            "language",
                            models.CharField(blank=True, max_length=8, verbose_name="language"),
                        ),
                        (
                            "time_zone",
                            models.CharField(blank=True, max_length=64, verbose_name="time zone"),
                        ),
                        (
                            "preferred_channel",
                            models.CharField(
                                blank=True,
                                choices=[("email", "Email"), ("sms", "SMS"), ("voice", "Voice")],
                                max_length=8,
                                verbose_name="preferred channel",
                            ),
                        ),
                        (
                            "tags",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=40),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        (
                            "lifecycle_stage",
                            models.CharField(
                                choices=[
                                    ("lead", "Lead"),
                                    ("customer", "Customer"),
                                    ("lapsed", "Lapsed"),
                                ],
                                default="lead",
                                max_length=10,
                                verbose_name="lifecycle stage",
                            ),
                        ),
                        (
                            "source",
                            models.CharField(blank=True, max_length=40, verbose_name="source"),
                        ),
                        (
                            "custom",
                            models.JSONField(
                                blank=True, default=dict, verbose_name="custom fields"
                            ),
                        ),
                        (
                            "email_consent",
                            models.CharField(
                                choices=[
                                    ("opted_in", "Opted in"),
                                    ("opted_out", "Opted out"),
                                    ("unknown", "Unknown"),
                                ],
                                default="unknown",
                                max_length=10,
                            ),
                        ),
                        (
                            "sms_consent",
                            models.CharField(
                                choices=[
                                    ("opted_in", "Opted in"),
                                    ("opted_out", "Opted out"),
                                    ("unknown", "Unknown"),
                                ],
                                default="unknown",
                                max_length=10,
                            ),
                        ),
                        (
                            "voice_consent",
                            models.CharField(
                                choices=[
                                    ("opted_in", "Opted in"),
                                    ("opted_out", "Opted out"),
                                    ("unknown", "Unknown"),
                                ],
                                default="unknown",
                                max_length=10,
                            ),
                        ),
                        ("erased_at", models.DateTimeField(blank=True, null=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        (
                            "search",
                            models.GeneratedField(
                                db_persist=True,
                                expression=django.contrib.postgres.search.SearchVector(
                                    "first_name", "last_name", "email", "city", config="simple"
                                ),
                                output_field=django.contrib.postgres.search.SearchVectorField(),
                            ),
                        ),
                        (
                            "owner",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="owned_contacts",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="owner",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["last_name", "first_name", "pk"],
                        "indexes": [
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["search"], name="contacts_contact_search"
                            ),
                            django.contrib.postgres.indexes.GinIndex(
                                fields=["tags"], name="contacts_contact_tags"
                            ),
                            models.Index(
                                fields=["email"],
                                name="contacts_email_prefix",
                                opclasses=["varchar_pattern_ops"],
                            ),
                            models.Index(
                                fields=["phone_national"],
                                name="contacts_phone_prefix",
                                opclasses=["varchar_pattern_ops"],
                            ),
                            models.Index(
                                fields=["last_name", "first_name", "id"], name="contacts_name_order"
                            ),
                            models.Index(fields=["updated"], name="contacts_updated"),
                            models.Index(fields=["lifecycle_stage"], name="contacts_stage"),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                django.db.models.functions.text.Lower("email"),
                                condition=models.Q(("email", ""), _negated=True),
                                name="contacts_contact_email_ci",
                            ),
                            models.UniqueConstraint(
                                condition=models.Q(("phone", ""), _negated=True),
                                fields=("phone",),
                                name="contacts_contact_phone",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ContactSettings",
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
                        ("rfm_window_days", models.PositiveIntegerField(default=365)),
                    ],
                ),
                migrations.CreateModel(
                    name="CustomField",
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
                        ("label", models.CharField(max_length=80, verbose_name="label")),
                        (
                            "type",
                            models.CharField(
                                choices=[
                                    ("text", "Text"),
                                    ("number", "Number"),
                                    ("date", "Date"),
                                    ("choice", "Choice"),
                                    ("boolean", "Yes/no"),
                                ],
                                max_length=10,
                                verbose_name="type",
                            ),
                        ),
                        (
                            "choices",
                            django.contrib.postgres.fields.ArrayField(
                                base_field=models.CharField(max_length=80),
                                blank=True,
                                default=list,
                                size=None,
                            ),
                        ),
                        ("required", models.BooleanField(default=False, verbose_name="required")),
                        ("created", models.DateTimeField(auto_now_add=True)),
                    ],
                    options={"ordering": ["label"]},
                ),
                migrations.CreateModel(
                    name="ConsentEvent",
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
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("opted_in", "Opted in"),
                                    ("opted_out", "Opted out"),
                                    ("unknown", "Unknown"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "previous_status",
                            models.CharField(
                                choices=[
                                    ("opted_in", "Opted in"),
                                    ("opted_out", "Opted out"),
                                    ("unknown", "Unknown"),
                                ],
                                max_length=10,
                            ),
                        ),
                        (
                            "method",
                            models.CharField(
                                choices=[
                                    ("form", "Form"),
                                    ("import", "Import"),
                                    ("api", "API"),
                                    ("reply", "Reply (STOP/START)"),
                                    ("staff", "Staff"),
                                ],
                                max_length=10,
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=200)),
                        ("occurred_at", models.DateTimeField()),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="consent_events",
                                to="contacts.contact",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-occurred_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["contact", "channel", "-occurred_at"],
                                name="contacts_co_contact_0a11a1_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="ImportJob",
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
                        ("file", models.FileField(upload_to="imports/")),
                        ("original_name", models.CharField(max_length=200)),
                        ("mapping", models.JSONField(default=dict)),
                        ("on_match", models.CharField(default="update", max_length=8)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Waiting"),
                                    ("running", "Importing"),
                                    ("done", "Done"),
                                    ("failed", "Failed"),
                                ],
                                default="pending",
                                max_length=10,
                            ),
                        ),
                        ("total_rows", models.PositiveIntegerField(default=0)),
                        ("processed_rows", models.PositiveIntegerField(default=0)),
                        ("created_count", models.PositiveIntegerField(default=0)),
                        ("updated_count", models.PositiveIntegerField(default=0)),
                        ("skipped_count", models.PositiveIntegerField(default=0)),
                        ("errors", models.JSONField(default=list)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("finished_at", models.DateTimeField(blank=True, null=True)),
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
                    ],
                    options={"ordering": ["-created"]},
                ),
                migrations.CreateModel(
                    name="Segment",
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
                            "description",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="description"
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[("dynamic", "Rules"), ("static", "Static list")],
                                default="dynamic",
                                max_length=10,
                            ),
                        ),
                        ("rules", models.JSONField(blank=True, default=dict)),
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
                    ],
                    options={"ordering": ["name"]},
                ),
                migrations.CreateModel(
                    name="SegmentMember",
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
                        ("added", models.DateTimeField(auto_now_add=True)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="contacts.contact"
                            ),
                        ),
                        (
                            "segment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, to="contacts.segment"
                            ),
                        ),
                    ],
                    options={
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("segment", "contact"), name="contacts_segment_member"
                            )
                        ]
                    },
                ),
                migrations.CreateModel(
                    name="Task",
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
                        ("title", models.CharField(max_length=200, verbose_name="task")),
                        ("due_date", models.DateField(blank=True, null=True, verbose_name="due")),
                        ("done_at", models.DateTimeField(blank=True, null=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "assignee",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="contact_tasks",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="assignee",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tasks",
                                to="contacts.contact",
                            ),
                        ),
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
                    ],
                    options={
                        "ordering": ["done_at", "due_date", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["assignee", "done_at", "due_date"],
                                name="contacts_ta_assigne_f25ef7_idx",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TimelineEvent",
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
                        ("type", models.CharField(max_length=64)),
                        ("occurred_at", models.DateTimeField()),
                        ("properties", models.JSONField(blank=True, default=dict)),
                        ("source", models.CharField(default="system", max_length=32)),
                        ("client_event_id", models.CharField(blank=True, max_length=100)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="events",
                                to="contacts.contact",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-occurred_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["contact", "-occurred_at", "-id"],
                                name="contacts_event_timeline",
                            ),
                            models.Index(
                                fields=["type", "occurred_at"], name="contacts_event_type_time"
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("client_event_id", ""), _negated=True),
                                fields=("client_event_id",),
                                name="contacts_event_client_id",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="Transaction",
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
                            "kind",
                            models.CharField(
                                choices=[("purchase", "Purchase"), ("refund", "Refund")],
                                default="purchase",
                                max_length=10,
                            ),
                        ),
                        ("amount", models.DecimalField(decimal_places=2, max_digits=12)),
                        ("currency", models.CharField(max_length=3)),
                        ("occurred_at", models.DateTimeField()),
                        ("items", models.JSONField(blank=True, default=list)),
                        (
                            "channel",
                            models.CharField(
                                choices=[("store", "In store"), ("online", "Online")],
                                default="store",
                                max_length=10,
                            ),
                        ),
                        ("external_ref", models.CharField(blank=True, max_length=100)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="transactions",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "refund_of",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="refunds",
                                to="contacts.transaction",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["-occurred_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["contact", "-occurred_at"], name="contacts_tx_contact"
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("external_ref", ""), _negated=True),
                                fields=("external_ref",),
                                name="contacts_transaction_ref",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(("amount__gt", 0)),
                                name="contacts_amount_positive",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="RfmScore",
                    fields=[
                        (
                            "contact",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                primary_key=True,
                                related_name="rfm",
                                serialize=False,
                                to="contacts.contact",
                            ),
                        ),
                        ("recency_days", models.PositiveIntegerField()),
                        ("frequency", models.PositiveIntegerField()),
                        ("monetary", models.DecimalField(decimal_places=2, max_digits=14)),
                        ("r", models.PositiveSmallIntegerField()),
                        ("f", models.PositiveSmallIntegerField()),
                        ("m", models.PositiveSmallIntegerField()),
                        (
                            "segment",
                            models.CharField(
                                choices=[
                                    ("champions", "Champions"),
                                    ("loyal", "Loyal"),
                                    ("potential", "Potential loyalists"),
                                    ("new", "New customers"),
                                    ("at_risk", "At risk"),
                                    ("cant_lose", "Can't lose them"),
                                    ("hibernating", "Hibernating"),
                                    ("lost", "Lost"),
                                ],
                                max_length=12,
                            ),
                        ),
                        ("computed_at", models.DateTimeField()),
                    ],
                    options={
                        "indexes": [models.Index(fields=["segment"], name="contacts_rfm_segment")]
                    },
                ),
            ]
        ),
        migrations.AddField(
            model_name="segment",
            name="members",
            field=models.ManyToManyField(
                related_name="lists", through="contacts.SegmentMember", to="contacts.contact"
            ),
        ),
    ]

import django.contrib.postgres.constraints
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

import apps.appointments.models
from cxsuite.lib.migrations import CreateModels


class Migration(migrations.Migration):
    initial = True
    dependencies = [
        ("contacts", "0003_contact_no_shows"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    operations = [
        CreateModels(
            [
                migrations.CreateModel(
                    name="AppointmentSettings",
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
                            "slot_step_minutes",
                            models.PositiveSmallIntegerField(
                                default=15,
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(240),
                                ],
                                verbose_name="offer a start time every (minutes)",
                            ),
                        ),
                        (
                            "cancellation_notice_hours",
                            models.PositiveSmallIntegerField(
                                default=24,
                                validators=[django.core.validators.MaxValueValidator(336)],
                                verbose_name="customers may cancel or move online up to (hours before)",
                            ),
                        ),
                        (
                            "reminders",
                            models.JSONField(blank=True, default=list, verbose_name="reminders"),
                        ),
                        (
                            "online_booking",
                            models.BooleanField(
                                default=True, verbose_name="online booking page is open"
                            ),
                        ),
                        (
                            "booking_intro",
                            models.CharField(
                                blank=True, max_length=300, verbose_name="text on the booking page"
                            ),
                        ),
                    ],
                ),
                migrations.CreateModel(
                    name="Holiday",
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
                        ("date", models.DateField(unique=True, verbose_name="date")),
                        ("name", models.CharField(blank=True, max_length=120, verbose_name="name")),
                    ],
                    options={"ordering": ["date"]},
                ),
                migrations.CreateModel(
                    name="Room",
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
                        ("name", models.CharField(max_length=80, unique=True, verbose_name="name")),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                    ],
                    options={"ordering": ["position", "name"]},
                ),
                migrations.CreateModel(
                    name="StaffMember",
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
                            "title",
                            models.CharField(blank=True, max_length=80, verbose_name="title"),
                        ),
                        (
                            "color",
                            models.CharField(
                                default="#2563eb", max_length=7, verbose_name="colour"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        (
                            "bookable_online",
                            models.BooleanField(
                                default=True, verbose_name="customers can choose them online"
                            ),
                        ),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        (
                            "calendar_token",
                            models.CharField(
                                default=apps.appointments.models._calendar_token,
                                max_length=64,
                                unique=True,
                            ),
                        ),
                        (
                            "user",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="staff_member",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="login",
                            ),
                        ),
                    ],
                    options={"ordering": ["position", "name"]},
                ),
                migrations.CreateModel(
                    name="Service",
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
                            "duration_minutes",
                            models.PositiveSmallIntegerField(
                                default=30,
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(720),
                                ],
                                verbose_name="duration (minutes)",
                            ),
                        ),
                        (
                            "price",
                            models.DecimalField(
                                decimal_places=2, default=0, max_digits=10, verbose_name="price"
                            ),
                        ),
                        (
                            "buffer_before_minutes",
                            models.PositiveSmallIntegerField(
                                default=0,
                                validators=[django.core.validators.MaxValueValidator(240)],
                                verbose_name="buffer before (minutes)",
                            ),
                        ),
                        (
                            "buffer_after_minutes",
                            models.PositiveSmallIntegerField(
                                default=0,
                                validators=[django.core.validators.MaxValueValidator(240)],
                                verbose_name="buffer after (minutes)",
                            ),
                        ),
                        (
                            "step_minutes",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                help_text="Empty: the practice's slot step.",
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(5),
                                    django.core.validators.MaxValueValidator(240),
                                ],
                                verbose_name="start-time step (minutes)",
                            ),
                        ),
                        (
                            "daily_cap",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                null=True,
                                validators=[django.core.validators.MinValueValidator(1)],
                                verbose_name="at most per staff member per day",
                            ),
                        ),
                        (
                            "needs_confirmation",
                            models.BooleanField(
                                default=False, verbose_name="staff confirm each booking"
                            ),
                        ),
                        (
                            "min_notice_minutes",
                            models.PositiveIntegerField(
                                default=120,
                                validators=[django.core.validators.MaxValueValidator(86400)],
                                verbose_name="minimum notice (minutes)",
                            ),
                        ),
                        (
                            "horizon_days",
                            models.PositiveSmallIntegerField(
                                default=60,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(730),
                                ],
                                verbose_name="bookable up to (days ahead)",
                            ),
                        ),
                        (
                            "online",
                            models.BooleanField(default=True, verbose_name="bookable online"),
                        ),
                        (
                            "needs_room",
                            models.BooleanField(
                                default=False, verbose_name="also needs a room or chair"
                            ),
                        ),
                        (
                            "recall_months",
                            models.PositiveSmallIntegerField(
                                blank=True,
                                null=True,
                                validators=[
                                    django.core.validators.MinValueValidator(1),
                                    django.core.validators.MaxValueValidator(60),
                                ],
                                verbose_name="recall after (months)",
                            ),
                        ),
                        (
                            "color",
                            models.CharField(
                                default="#0ea5e9", max_length=7, verbose_name="colour"
                            ),
                        ),
                        ("active", models.BooleanField(default=True, verbose_name="active")),
                        ("position", models.PositiveSmallIntegerField(default=0)),
                        (
                            "rooms",
                            models.ManyToManyField(
                                blank=True,
                                help_text="Empty: any active room.",
                                related_name="services",
                                to="appointments.room",
                                verbose_name="rooms",
                            ),
                        ),
                        (
                            "staff",
                            models.ManyToManyField(
                                blank=True,
                                related_name="services",
                                to="appointments.staffmember",
                                verbose_name="staff",
                            ),
                        ),
                    ],
                    options={"ordering": ["position", "name"]},
                ),
                migrations.CreateModel(
                    name="Appointment",
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
                        ("starts_at", models.DateTimeField(verbose_name="starts at")),
                        ("ends_at", models.DateTimeField(verbose_name="ends at")),
                        ("block_start", models.DateTimeField(editable=False)),
                        ("block_end", models.DateTimeField(editable=False)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("booked", "Booked"),
                                    ("confirmed", "Confirmed"),
                                    ("checked_in", "Checked in"),
                                    ("completed", "Completed"),
                                    ("no_show", "No-show"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="booked",
                                max_length=12,
                            ),
                        ),
                        (
                            "source",
                            models.CharField(
                                choices=[
                                    ("staff", "Front desk"),
                                    ("online", "Online booking"),
                                    ("api", "API"),
                                ],
                                default="staff",
                                max_length=8,
                            ),
                        ),
                        ("awaiting_approval", models.BooleanField(default=False)),
                        ("price", models.DecimalField(decimal_places=2, default=0, max_digits=10)),
                        ("notes", models.TextField(blank=True, verbose_name="notes")),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        ("updated", models.DateTimeField(auto_now=True)),
                        ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                        ("checked_in_at", models.DateTimeField(blank=True, null=True)),
                        ("completed_at", models.DateTimeField(blank=True, null=True)),
                        ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                        ("cancel_reason", models.CharField(blank=True, max_length=200)),
                        ("reschedule_count", models.PositiveSmallIntegerField(default=0)),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
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
                        (
                            "room",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="appointments.room",
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="appointments.service",
                            ),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="appointments",
                                to="appointments.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["starts_at"],
                        "indexes": [
                            models.Index(
                                fields=["staff", "block_end"], name="appointment_staff_i_8c1d52_idx"
                            ),
                            models.Index(
                                fields=["room", "block_end"], name="appointment_room_id_b99eab_idx"
                            ),
                            models.Index(
                                fields=["starts_at"], name="appointment_starts__122d81_idx"
                            ),
                            models.Index(
                                fields=["contact", "starts_at"],
                                name="appointment_contact_a551e1_idx",
                            ),
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("ends_at__gt", models.F("starts_at")),
                                    ("block_start__lte", models.F("starts_at")),
                                    ("block_end__gte", models.F("ends_at")),
                                ),
                                name="appointment_times_ordered",
                            ),
                            django.contrib.postgres.constraints.ExclusionConstraint(
                                condition=models.Q(("status", "cancelled"), _negated=True),
                                expressions=[
                                    (
                                        models.Func(
                                            models.F("staff_id"),
                                            models.F("staff_id"),
                                            models.Value("[]"),
                                            function="int8range",
                                        ),
                                        "&&",
                                    ),
                                    (
                                        models.Func(
                                            models.F("block_start"),
                                            models.F("block_end"),
                                            models.Value("[)"),
                                            function="tstzrange",
                                        ),
                                        "&&",
                                    ),
                                ],
                                name="appointment_no_staff_overlap",
                            ),
                            django.contrib.postgres.constraints.ExclusionConstraint(
                                condition=models.Q(
                                    models.Q(("status", "cancelled"), _negated=True),
                                    ("room__isnull", False),
                                ),
                                expressions=[
                                    (
                                        models.Func(
                                            models.F("room_id"),
                                            models.F("room_id"),
                                            models.Value("[]"),
                                            function="int8range",
                                        ),
                                        "&&",
                                    ),
                                    (
                                        models.Func(
                                            models.F("block_start"),
                                            models.F("block_end"),
                                            models.Value("[)"),
                                            function="tstzrange",
                                        ),
                                        "&&",
                                    ),
                                ],
                                name="appointment_no_room_overlap",
                            ),
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="TimeOff",
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
                        ("starts_at", models.DateTimeField(verbose_name="from")),
                        ("ends_at", models.DateTimeField(verbose_name="until")),
                        (
                            "reason",
                            models.CharField(blank=True, max_length=120, verbose_name="reason"),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="time_off",
                                to="appointments.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["starts_at"],
                        "indexes": [
                            models.Index(
                                fields=["staff", "ends_at"], name="appointment_staff_i_b5b706_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("ends_at__gt", models.F("starts_at"))),
                                name="time_off_end_after_start",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WaitlistEntry",
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
                        ("date_from", models.DateField(verbose_name="from")),
                        ("date_to", models.DateField(verbose_name="until")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("waiting", "Waiting"),
                                    ("notified", "Told of a free time"),
                                    ("booked", "Booked"),
                                    ("cancelled", "Cancelled"),
                                ],
                                default="waiting",
                                max_length=10,
                            ),
                        ),
                        ("notified_at", models.DateTimeField(blank=True, null=True)),
                        ("created", models.DateTimeField(auto_now_add=True)),
                        (
                            "appointment",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to="appointments.appointment",
                            ),
                        ),
                        (
                            "contact",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="waitlist",
                                to="contacts.contact",
                            ),
                        ),
                        (
                            "service",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="waitlist",
                                to="appointments.service",
                            ),
                        ),
                        (
                            "staff",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="waitlist",
                                to="appointments.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["created"],
                        "indexes": [
                            models.Index(
                                fields=["service", "status", "date_from"],
                                name="appointment_service_60d7a9_idx",
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("date_to__gte", models.F("date_from"))),
                                name="waitlist_dates_ordered",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="WorkingHours",
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
                            "weekday",
                            models.PositiveSmallIntegerField(
                                validators=[django.core.validators.MaxValueValidator(6)],
                                verbose_name="weekday",
                            ),
                        ),
                        ("start", models.TimeField(verbose_name="from")),
                        ("end", models.TimeField(verbose_name="until")),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="hours",
                                to="appointments.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["staff", "weekday", "start"],
                        "indexes": [
                            models.Index(
                                fields=["staff", "weekday"], name="appointment_staff_i_d11244_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end__gt", models.F("start"))),
                                name="hours_end_after_start",
                            )
                        ],
                    },
                ),
                migrations.CreateModel(
                    name="HoursOverride",
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
                        ("date", models.DateField(verbose_name="date")),
                        ("start", models.TimeField(verbose_name="from")),
                        ("end", models.TimeField(verbose_name="until")),
                        (
                            "staff",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="overrides",
                                to="appointments.staffmember",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["staff", "date", "start"],
                        "indexes": [
                            models.Index(
                                fields=["staff", "date"], name="appointment_staff_i_884824_idx"
                            )
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(("end__gt", models.F("start"))),
                                name="override_end_after_start",
                            )
                        ],
                    },
                ),
            ]
        )
    ]

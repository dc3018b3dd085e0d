"""The daily roll-ups of scored answers and of invitations by status, back-filled from the
responses and invitations of each business that already has some (in the business's zone; a
new business has none, so nothing is recorded).

Plain SQL against the two tables, so it keeps working whatever the models become."""

import django.db.models.deletion
from django.db import migrations, models
from django_tenants.utils import get_public_schema_name


def backfill(apps, schema_editor):
    connection = schema_editor.connection
    public = get_public_schema_name()
    schema = getattr(connection, "schema_name", public)
    if schema == public:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM feedback_invitation)")
        if not cursor.fetchone()[0]:
            return
        cursor.execute(
            f'SELECT time_zone FROM "{public}".tenants_tenant WHERE schema_name = %s', [schema]
        )
        row = cursor.fetchone()
        zone = (row[0] if row else "") or "UTC"
        cursor.execute(
            """
            INSERT INTO feedback_scoreday
                (day, survey_id, kind, staff_id, service_id, channel, band, answers, score_sum)
            SELECT (created AT TIME ZONE %s)::date, survey_id, kind, coalesce(staff_id, 0),
                   coalesce(service_id, 0), channel, band, count(*), sum(score)
            FROM feedback_response
            WHERE score IS NOT NULL AND band <> ''
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            """,
            [zone],
        )
        cursor.execute(
            """
            INSERT INTO feedback_invitationday (day, survey_id, status, invitations)
            SELECT (send_at AT TIME ZONE %s)::date, survey_id, status, count(*)
            FROM feedback_invitation
            GROUP BY 1, 2, 3
            """,
            [zone],
        )


class Migration(migrations.Migration):
    dependencies = [
        ("feedback", "0002_case_updated_invitation_updated_survey_updated"),
    ]

    operations = [
        migrations.CreateModel(
            name="ScoreDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("nps", "NPS (0–10)"),
                            ("csat", "Satisfaction (1–5)"),
                            ("ces", "Effort (1–7)"),
                        ],
                        max_length=8,
                    ),
                ),
                ("staff_id", models.BigIntegerField(default=0)),
                ("service_id", models.BigIntegerField(default=0)),
                ("channel", models.CharField(blank=True, max_length=8)),
                (
                    "band",
                    models.CharField(
                        choices=[
                            ("detractor", "Detractor"),
                            ("passive", "Passive"),
                            ("promoter", "Promoter"),
                        ],
                        max_length=10,
                    ),
                ),
                ("answers", models.IntegerField(default=0)),
                ("score_sum", models.IntegerField(default=0)),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="feedback.survey",
                    ),
                ),
            ],
            options={
                "ordering": ["day", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=(
                            "day",
                            "survey",
                            "kind",
                            "staff_id",
                            "service_id",
                            "channel",
                            "band",
                        ),
                        name="feedback_scoreday_key",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="InvitationDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("scheduled", "Scheduled"),
                            ("sent", "Sent"),
                            ("answered", "Answered"),
                            ("expired", "Expired"),
                            ("dropped", "Not sent"),
                        ],
                        max_length=10,
                    ),
                ),
                ("invitations", models.IntegerField(default=0)),
                (
                    "survey",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="feedback.survey",
                    ),
                ),
            ],
            options={
                "ordering": ["day", "pk"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "survey", "status"), name="feedback_invitationday_key"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]

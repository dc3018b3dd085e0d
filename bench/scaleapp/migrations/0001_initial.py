from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []

    operations = [
        migrations.CreateModel(
            name="GiftCard",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                ("code", models.CharField(max_length=32, unique=True)),
                ("balance", models.DecimalField(decimal_places=2, default=0, max_digits=10)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]

from django.db import models


class GiftCard(models.Model):
    """A table as a new feature would add one: a few columns, one index besides the key."""

    code = models.CharField(max_length=32, unique=True)
    balance = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.code

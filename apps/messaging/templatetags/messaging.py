"""Template helpers for messaging pages."""

from django import template

from ..registries import purposes

register = template.Library()


@register.filter
def purpose_label(key: str) -> str:
    """The purpose's name as people read it ("Appointment reminder"), or the key itself."""
    spec = purposes.get(key)
    return str(spec.label) if spec else key

"""Which language a page speaks, in one place.

The app is translated into English, French and Spanish (UI_LANGUAGES); a business or a contact
may name another language (settings.LANGUAGES), whose pages are then shown in English rather
than in a mix of English words and Django's own translated messages.

Who decides, first match wins:
- a customer's page reached through their link (manage, reschedule, cancel, preferences,
  unsubscribe): the contact's language;
- a team member's page: the member's own choice (User.language);
- any other page of a business (booking page, login, password reset, invitation): the
  business's language;
- the public site (landing, sign-up), where there is no business yet: the browser's
  Accept-Language among UI_LANGUAGES, else English.

The browser is not asked on a business's pages: the business chose its language for its
customers, and a customer whose language differs has it on their contact.
"""

from __future__ import annotations

from django.utils import translation

UI_LANGUAGES = ("en", "fr", "es")
DEFAULT_LANGUAGE = "en"
# Each language in its own words, for a language picker (the same in every UI language).
LANGUAGE_NATIVE_NAMES = {"en": "English", "fr": "Français", "es": "Español"}


def ui_language(code: str | None) -> str | None:
    """The UI language for a code such as "fr", "fr-CA" or "ES"; None when not translated."""
    head = (code or "").strip().lower().replace("_", "-").split("-")[0]
    return head if head in UI_LANGUAGES else None


def browser_language(accept_language: str) -> str | None:
    """The first UI language the browser's Accept-Language header asks for (by q value)."""
    choices = []
    for position, part in enumerate(accept_language.split(",")):
        lang, _, params = part.strip().partition(";")
        quality = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                quality = float(params[2:])
            except ValueError:
                quality = 0.0
        code = ui_language(lang)
        if code and quality > 0:
            choices.append((-quality, position, code))
    return min(choices)[2] if choices else None


def page_language_activate(code: str | None) -> str:
    """Switch the rest of this request to `code` (the contact's language on a customer's own
    pages); a language without a translation leaves the current one. Returns the active one.
    The language middleware resets it when the response is done."""
    language = ui_language(code)
    if language:
        translation.activate(language)
    return translation.get_language() or DEFAULT_LANGUAGE


def customer_page(view):
    """Mark a view a customer sees: it speaks the business's language (or, through
    page_language_activate, the contact's) even to a signed-in team member who opens it."""
    view.customer_page = True
    return view

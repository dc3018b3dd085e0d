"""The templates every business starts with, in English, French and Spanish (voice in English):
warm and short; a business edits its own copy under Messages → Templates. Each one is checked
against its purpose's variables by the test suite."""

from __future__ import annotations

# (purpose, channel, language) -> (subject, body). Subjects are used on email only.
DefaultKey = tuple[str, str, str]

_HELLO = {
    "en": 'Hi {{ contact.first_name|default:"there" }},',
    "fr": "Bonjour {{ contact.first_name }},",
    "es": "Hola {{ contact.first_name }}:",
}
_BYE = {
    "en": "See you soon,\n{{ business.name }}",
    "fr": "À bientôt,\n{{ business.name }}",
    "es": "Hasta pronto,\n{{ business.name }}",
}
_UNSUBSCRIBE = {
    "en": "Prefer not to hear from us? Unsubscribe: {{ unsubscribe_link }}",
    "fr": "Vous ne souhaitez plus nous lire ? Désabonnement : {{ unsubscribe_link }}",
    "es": "¿Prefieres no recibir más mensajes? Darse de baja: {{ unsubscribe_link }}",
}
_STOP = STOP_LINE = {
    "en": "Reply STOP to opt out.",
    "fr": "STOP pour ne plus recevoir de SMS.",
    "es": "Responde STOP para no recibir mas SMS.",
}


def email_default(lang: str, subject: str, text: str, marketing: bool = False) -> tuple[str, str]:
    footer = f"\n\n{_UNSUBSCRIBE[lang]}" if marketing else ""
    return subject, f"{_HELLO[lang]}\n\n{text}\n\n{_BYE[lang]}{footer}"


DEFAULT_TEMPLATES: dict[DefaultKey, tuple[str, str]] = {
    # --- survey invitation ---------------------------------------------------------------------
    ("survey_invitation", "email", "en"): email_default(
        "en",
        "How did we do?",
        "Thank you for visiting {{ business.name }}. Would you tell us how it went? It takes "
        "about a minute, and every answer helps us do better:\n{{ survey.link }}",
    ),
    ("survey_invitation", "email", "fr"): email_default(
        "fr",
        "Votre avis nous intéresse",
        "Merci de votre visite chez {{ business.name }}. Nous diriez-vous comment cela s'est "
        "passé ? Cela prend une minute, et chaque réponse nous aide à progresser :\n"
        "{{ survey.link }}",
    ),
    ("survey_invitation", "email", "es"): email_default(
        "es",
        "¿Qué tal te atendimos?",
        "Gracias por visitar {{ business.name }}. ¿Nos cuentas cómo te fue? Solo lleva un "
        "minuto y cada respuesta nos ayuda a mejorar:\n{{ survey.link }}",
    ),
    ("survey_invitation", "sms", "en"): (
        "",
        "Hi {{ contact.first_name }}, thanks for visiting "
        "{{ business.name }}! How did we do? {{ survey.link }}",
    ),
    ("survey_invitation", "sms", "fr"): (
        "",
        "Bonjour {{ contact.first_name }}, merci de votre "
        "visite chez {{ business.name }} ! Votre avis : {{ survey.link }}",
    ),
    ("survey_invitation", "sms", "es"): (
        "",
        "Hola {{ contact.first_name }}, gracias por "
        "visitar {{ business.name }}. Tu opinion: {{ survey.link }}",
    ),
    ("survey_invitation", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. Thank you for your visit. We've sent you a short survey by text "
        "and email, and we'd love to hear how it went. Thank you!",
    ),
    # --- voucher (marketing) -------------------------------------------------------------------
    ("voucher", "email", "en"): email_default(
        "en",
        "A little something for you",
        "We have a voucher for you: {{ voucher.code }}. Just show it at your next visit. "
        "It's valid until {{ voucher.expires }}.",
        marketing=True,
    ),
    ("voucher", "email", "fr"): email_default(
        "fr",
        "Un petit cadeau pour vous",
        "Voici un bon pour vous : {{ voucher.code }}. Présentez-le lors de votre prochaine "
        "visite. Il est valable jusqu'au {{ voucher.expires }}.",
        marketing=True,
    ),
    ("voucher", "email", "es"): email_default(
        "es",
        "Un pequeño regalo para ti",
        "Tenemos un cupón para ti: {{ voucher.code }}. Muéstralo en tu próxima visita. "
        "Es válido hasta el {{ voucher.expires }}.",
        marketing=True,
    ),
    ("voucher", "sms", "en"): (
        "",
        "{{ business.name }}: a gift for you! Code {{ voucher.code }}, "
        "valid until {{ voucher.expires }}. " + _STOP["en"],
    ),
    ("voucher", "sms", "fr"): (
        "",
        "{{ business.name }} : un cadeau pour vous ! Code "
        "{{ voucher.code }}, valable jusqu'au {{ voucher.expires }}. " + _STOP["fr"],
    ),
    ("voucher", "sms", "es"): (
        "",
        "{{ business.name }}: un regalo para ti. Codigo "
        "{{ voucher.code }}, valido hasta el {{ voucher.expires }}. " + _STOP["es"],
    ),
    ("voucher", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. We've sent you a voucher by text and email, valid until "
        "{{ voucher.expires }}. We hope to see you soon!",
    ),
    # --- payment reminder (empathetic) ---------------------------------------------------------
    ("payment_reminder", "email", "en"): email_default(
        "en",
        "A gentle reminder about your invoice",
        "We know things come up, so this is just a gentle reminder: {{ invoice.amount }} was "
        "due on {{ invoice.due_date }}. You can pay in a minute here:\n{{ invoice.pay_link }}\n\n"
        "If you've already paid, thank you, and please ignore this. If now is a difficult "
        "time, just reply and we'll work something out together.",
    ),
    ("payment_reminder", "email", "fr"): email_default(
        "fr",
        "Un petit rappel concernant votre facture",
        "Nous savons que les imprévus arrivent, voici donc un simple rappel : "
        "{{ invoice.amount }} étaient dus le {{ invoice.due_date }}. Vous pouvez régler en "
        "une minute ici :\n{{ invoice.pay_link }}\n\nSi c'est déjà fait, merci et ne tenez pas "
        "compte de ce message. Si le moment est difficile, répondez-nous simplement et nous "
        "trouverons une solution ensemble.",
    ),
    ("payment_reminder", "email", "es"): email_default(
        "es",
        "Un recordatorio amable sobre tu factura",
        "Sabemos que surgen imprevistos, así que solo es un recordatorio: {{ invoice.amount }} "
        "vencía el {{ invoice.due_date }}. Puedes pagar en un minuto aquí:\n"
        "{{ invoice.pay_link }}\n\nSi ya pagaste, gracias y disculpa la molestia. Si ahora es "
        "un momento difícil, respóndenos y buscaremos una solución juntos.",
    ),
    ("payment_reminder", "sms", "en"): (
        "",
        "Hi {{ contact.first_name }}, we know things come "
        "up: {{ invoice.amount }} from {{ business.name }} was due {{ invoice.due_date }}. "
        "Pay here: {{ invoice.pay_link }} Need more time? Just reply.",
    ),
    ("payment_reminder", "sms", "fr"): (
        "",
        "Bonjour {{ contact.first_name }}, un imprévu est "
        "vite arrivé : {{ invoice.amount }} dus à {{ business.name }} le {{ invoice.due_date }}. "
        "Régler : {{ invoice.pay_link }} Besoin de temps ? Répondez-nous.",
    ),
    ("payment_reminder", "sms", "es"): (
        "",
        "Hola {{ contact.first_name }}, sabemos que surgen "
        "imprevistos: {{ invoice.amount }} de {{ business.name }} vencio el "
        "{{ invoice.due_date }}. Pagar: {{ invoice.pay_link }} ¿Necesitas tiempo? Responde.",
    ),
    ("payment_reminder", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. We know things come up, so this is just a gentle reminder that "
        "{{ invoice.amount }} was due on {{ invoice.due_date }}. We've sent you a link to pay "
        "by text and email. If now is a difficult time, please call us and we'll work something "
        "out together. Thank you!",
    ),
    # --- outage notice -------------------------------------------------------------------------
    ("outage_notice", "email", "en"): email_default(
        "en",
        "Service interruption in {{ outage.area }}",
        "We're sorry: there is a service interruption in {{ outage.area }}. We're working on it "
        "and expect everything back by {{ outage.until }}. Thank you for your patience.",
    ),
    ("outage_notice", "email", "fr"): email_default(
        "fr",
        "Interruption de service : {{ outage.area }}",
        "Nous sommes désolés : le service est interrompu à {{ outage.area }}. Nous y travaillons "
        "et prévoyons un retour à la normale d'ici {{ outage.until }}. Merci de votre patience.",
    ),
    ("outage_notice", "email", "es"): email_default(
        "es",
        "Interrupción del servicio en {{ outage.area }}",
        "Lo sentimos: hay una interrupción del servicio en {{ outage.area }}. Estamos "
        "trabajando en ello y esperamos que todo vuelva a funcionar antes de {{ outage.until }}. "
        "Gracias por tu paciencia.",
    ),
    ("outage_notice", "sms", "en"): (
        "",
        "{{ business.name }}: sorry, service is interrupted in "
        "{{ outage.area }}. We expect it back by {{ outage.until }}. Thanks for your patience.",
    ),
    ("outage_notice", "sms", "fr"): (
        "",
        "{{ business.name }} : désolés, le service est "
        "interrompu à {{ outage.area }}. Retour prévu d'ici {{ outage.until }}. Merci de votre "
        "patience.",
    ),
    ("outage_notice", "sms", "es"): (
        "",
        "{{ business.name }}: lo sentimos, el servicio esta "
        "interrumpido en {{ outage.area }}. Volvera antes de {{ outage.until }}. Gracias por tu "
        "paciencia.",
    ),
    ("outage_notice", "voice", "en"): (
        "",
        "Hello, this is {{ business.name }}. We're sorry: "
        "service is interrupted in {{ outage.area }}. We expect it back by {{ outage.until }}. "
        "Thank you for your patience.",
    ),
    # --- SMS unsubscribe confirmation (the one message carriers require after STOP) ------------
    ("sms_stop_confirmation", "sms", "en"): (
        "",
        "{{ business.name }}: You are unsubscribed and "
        "will get no more texts from us. Reply START to subscribe again.",
    ),
    ("sms_stop_confirmation", "sms", "fr"): (
        "",
        "{{ business.name }} : vous êtes désabonné(e) "
        "et ne recevrez plus de SMS. Répondez START pour vous réabonner.",
    ),
    ("sms_stop_confirmation", "sms", "es"): (
        "",
        "{{ business.name }}: te has dado de baja y no "
        "recibiras mas SMS. Responde START para volver a suscribirte.",
    ),
    ("sms_stop_confirmation", "email", "en"): email_default(
        "en",
        "You won't get texts from us any more",
        "You are unsubscribed from our text messages. If you change your mind, reply START to "
        "any of our texts.",
    ),
    ("sms_stop_confirmation", "email", "fr"): email_default(
        "fr",
        "Vous ne recevrez plus nos SMS",
        "Vous êtes désabonné(e) de nos SMS. Si vous changez d'avis, répondez START à l'un de "
        "nos messages.",
    ),
    ("sms_stop_confirmation", "email", "es"): email_default(
        "es",
        "Ya no recibirás nuestros SMS",
        "Te has dado de baja de nuestros SMS. Si cambias de opinión, responde START a "
        "cualquiera de nuestros mensajes.",
    ),
    # --- campaign (marketing, generic) ---------------------------------------------------------
    ("campaign", "email", "en"): email_default(
        "en",
        "News from {{ business.name }}",
        "We have something new we think you'll like. Take a look:\n{{ link }}",
        marketing=True,
    ),
    ("campaign", "email", "fr"): email_default(
        "fr",
        "Des nouvelles de {{ business.name }}",
        "Nous avons une nouveauté qui devrait vous plaire. Découvrez-la :\n{{ link }}",
        marketing=True,
    ),
    ("campaign", "email", "es"): email_default(
        "es",
        "Novedades de {{ business.name }}",
        "Tenemos algo nuevo que creemos que te gustará. Échale un vistazo:\n{{ link }}",
        marketing=True,
    ),
    ("campaign", "sms", "en"): (
        "",
        "{{ business.name }}: something new for you! {{ link }} " + _STOP["en"],
    ),
    ("campaign", "sms", "fr"): (
        "",
        "{{ business.name }} : du nouveau pour vous ! {{ link }} " + _STOP["fr"],
    ),
    ("campaign", "sms", "es"): (
        "",
        "{{ business.name }}: novedades para ti. {{ link }} " + _STOP["es"],
    ),
    ("campaign", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. We have something new we think you'll like; we've sent the "
        "details by email. Have a lovely day!",
    ),
    # --- conversation (free text from staff; the greeting and sign-off frame e-mails) ---------
    ("conversation", "email", "en"): email_default("en", "{{ subject }}", "{{ text }}"),
    ("conversation", "email", "fr"): email_default("fr", "{{ subject }}", "{{ text }}"),
    ("conversation", "email", "es"): email_default("es", "{{ subject }}", "{{ text }}"),
    ("conversation", "sms", "en"): ("", "{{ text }}"),
    ("conversation", "sms", "fr"): ("", "{{ text }}"),
    ("conversation", "sms", "es"): ("", "{{ text }}"),
    ("conversation", "voice", "en"): ("", "{{ text }}"),
}

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
_STOP = {
    "en": "Reply STOP to opt out.",
    "fr": "STOP pour ne plus recevoir de SMS.",
    "es": "Responde STOP para no recibir mas SMS.",
}


def _email(lang: str, subject: str, text: str, marketing: bool = False) -> tuple[str, str]:
    footer = f"\n\n{_UNSUBSCRIBE[lang]}" if marketing else ""
    return subject, f"{_HELLO[lang]}\n\n{text}\n\n{_BYE[lang]}{footer}"


_APPT_EN = "{{ appointment.service }} with {{ appointment.staff }} on {{ appointment.starts_at }}"
_APPT_FR = "{{ appointment.service }} avec {{ appointment.staff }} le {{ appointment.starts_at }}"
_APPT_ES = "{{ appointment.service }} con {{ appointment.staff }} el {{ appointment.starts_at }}"

DEFAULT_TEMPLATES: dict[DefaultKey, tuple[str, str]] = {
    # --- appointment confirmation --------------------------------------------------------------
    ("appointment_confirmation", "email", "en"): _email(
        "en",
        "You're booked: {{ appointment.starts_at }}",
        f"Thank you for booking with us. Here are the details:\n{_APPT_EN}.\n\n"
        "Need to change something? Just use this link: {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "email", "fr"): _email(
        "fr",
        "Votre rendez-vous est confirmé : {{ appointment.starts_at }}",
        f"Merci pour votre réservation. Voici les détails :\n{_APPT_FR}.\n\n"
        "Un changement ? Il suffit d'utiliser ce lien : {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "email", "es"): _email(
        "es",
        "Tu cita está reservada: {{ appointment.starts_at }}",
        f"Gracias por reservar con nosotros. Estos son los detalles:\n{_APPT_ES}.\n\n"
        "¿Necesitas cambiar algo? Usa este enlace: {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "sms", "en"): (
        "",
        "{{ business.name }}: you're booked for "
        "{{ appointment.service }} on {{ appointment.starts_at }}. See you then! "
        "Details: {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "sms", "fr"): (
        "",
        "{{ business.name }} : votre rendez-vous "
        "{{ appointment.service }} est confirmé le {{ appointment.starts_at }}. À bientôt ! "
        "Détails : {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "sms", "es"): (
        "",
        "{{ business.name }}: tu cita de "
        "{{ appointment.service }} queda reservada el {{ appointment.starts_at }}. ¡Te esperamos! "
        "Detalles: {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. Your appointment for {{ appointment.service }} is booked for "
        "{{ appointment.starts_at }}. We look forward to seeing you. Goodbye!",
    ),
    # --- appointment reminder ------------------------------------------------------------------
    ("appointment_reminder", "email", "en"): _email(
        "en",
        "See you soon: {{ appointment.starts_at }}",
        f"A friendly reminder of your appointment:\n{_APPT_EN}.\n\n"
        "Please confirm you're coming, or let us know if you need another time: "
        "{{ appointment.confirm_link }}",
    ),
    ("appointment_reminder", "email", "fr"): _email(
        "fr",
        "À bientôt : {{ appointment.starts_at }}",
        f"Petit rappel de votre rendez-vous :\n{_APPT_FR}.\n\n"
        "Merci de confirmer votre venue, ou de nous dire s'il vous faut un autre créneau : "
        "{{ appointment.confirm_link }}",
    ),
    ("appointment_reminder", "email", "es"): _email(
        "es",
        "Te esperamos: {{ appointment.starts_at }}",
        f"Te recordamos tu cita:\n{_APPT_ES}.\n\n"
        "Confírmanos que vienes, o dinos si necesitas otro horario: {{ appointment.confirm_link }}",
    ),
    ("appointment_reminder", "sms", "en"): (
        "",
        "Hi {{ contact.first_name }}, a reminder from "
        "{{ business.name }}: {{ appointment.service }} on {{ appointment.starts_at }}. "
        "Reply C to confirm.",
    ),
    ("appointment_reminder", "sms", "fr"): (
        "",
        "Bonjour {{ contact.first_name }}, rappel de "
        "{{ business.name }} : {{ appointment.service }} le {{ appointment.starts_at }}. "
        "Répondez OUI pour confirmer.",
    ),
    ("appointment_reminder", "sms", "es"): (
        "",
        "Hola {{ contact.first_name }}, te recuerda "
        "{{ business.name }}: {{ appointment.service }} el {{ appointment.starts_at }}. "
        "Responde C para confirmar.",
    ),
    ("appointment_reminder", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }} with a friendly reminder of your {{ appointment.service }} "
        "appointment on {{ appointment.starts_at }}. If you need another time, please give us "
        "a call. Thank you, and see you soon!",
    ),
    # --- recall (a service's interval has passed since the last visit) -------------------------
    ("appointment_recall", "email", "en"): _email(
        "en",
        "Time for your next {{ appointment.service }}",
        "It has been a while since your last {{ appointment.service }} with us, and it's time "
        "for the next one. Pick a time that suits you here:\n{{ booking_link }}\n\n"
        "Already booked by phone? Then we look forward to seeing you!",
    ),
    ("appointment_recall", "email", "fr"): _email(
        "fr",
        "C'est le moment de votre prochain rendez-vous : {{ appointment.service }}",
        "Votre dernier rendez-vous {{ appointment.service }} date un peu, et le suivant est "
        "dû. Choisissez le créneau qui vous convient ici :\n{{ booking_link }}\n\n"
        "Déjà réservé par téléphone ? Alors à très bientôt !",
    ),
    ("appointment_recall", "email", "es"): _email(
        "es",
        "Es hora de tu próxima cita: {{ appointment.service }}",
        "Ha pasado un tiempo desde tu última cita de {{ appointment.service }} y ya toca la "
        "siguiente. Elige la hora que mejor te venga aquí:\n{{ booking_link }}\n\n"
        "¿Ya reservaste por teléfono? ¡Entonces te esperamos!",
    ),
    ("appointment_recall", "sms", "en"): (
        "",
        "Hi {{ contact.first_name }}, it's time for your "
        "next {{ appointment.service }} at {{ business.name }}. Book here: {{ booking_link }}",
    ),
    ("appointment_recall", "sms", "fr"): (
        "",
        "Bonjour {{ contact.first_name }}, c'est le "
        "moment de votre prochain rendez-vous {{ appointment.service }} chez "
        "{{ business.name }}. Réservez ici : {{ booking_link }}",
    ),
    ("appointment_recall", "sms", "es"): (
        "",
        "Hola {{ contact.first_name }}, ya toca tu "
        "proxima cita de {{ appointment.service }} en {{ business.name }}. Reserva aqui: "
        "{{ booking_link }}",
    ),
    ("appointment_recall", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. It's time for your next {{ appointment.service }}. We've sent you "
        "a link to book by text and email, or simply give us a call. See you soon!",
    ),
    # --- waitlist offer (a time came free) ------------------------------------------------------
    ("waitlist_offer", "email", "en"): _email(
        "en",
        "A time came free: {{ appointment.starts_at }}",
        "Good news: a time for {{ appointment.service }} has come free on "
        "{{ appointment.starts_at }}. Others are waiting too, so whoever books first gets it:\n"
        "{{ booking_link }}",
    ),
    ("waitlist_offer", "email", "fr"): _email(
        "fr",
        "Un créneau s'est libéré : {{ appointment.starts_at }}",
        "Bonne nouvelle : un créneau {{ appointment.service }} s'est libéré le "
        "{{ appointment.starts_at }}. D'autres personnes attendent aussi, le premier à réserver "
        "l'obtient :\n{{ booking_link }}",
    ),
    ("waitlist_offer", "email", "es"): _email(
        "es",
        "Se ha liberado una hora: {{ appointment.starts_at }}",
        "Buenas noticias: se ha liberado una hora de {{ appointment.service }} el "
        "{{ appointment.starts_at }}. Hay más personas esperando, así que será para quien "
        "reserve primero:\n{{ booking_link }}",
    ),
    ("waitlist_offer", "sms", "en"): (
        "",
        "{{ business.name }}: a time for "
        "{{ appointment.service }} came free on {{ appointment.starts_at }}. First to book gets "
        "it: {{ booking_link }}",
    ),
    ("waitlist_offer", "sms", "fr"): (
        "",
        "{{ business.name }} : un créneau "
        "{{ appointment.service }} s'est libéré le {{ appointment.starts_at }}. Premier arrivé, "
        "premier servi : {{ booking_link }}",
    ),
    ("waitlist_offer", "sms", "es"): (
        "",
        "{{ business.name }}: se libero una hora de "
        "{{ appointment.service }} el {{ appointment.starts_at }}. Para quien reserve primero: "
        "{{ booking_link }}",
    ),
    ("waitlist_offer", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is "
        "{{ business.name }}. A time for {{ appointment.service }} has come free on "
        "{{ appointment.starts_at }}. We've sent you a link to book it by text and email; "
        "whoever books first gets it. Thank you!",
    ),
    # --- survey invitation ---------------------------------------------------------------------
    ("survey_invitation", "email", "en"): _email(
        "en",
        "How did we do?",
        "Thank you for visiting {{ business.name }}. Would you tell us how it went? It takes "
        "about a minute, and every answer helps us do better:\n{{ survey.link }}",
    ),
    ("survey_invitation", "email", "fr"): _email(
        "fr",
        "Votre avis nous intéresse",
        "Merci de votre visite chez {{ business.name }}. Nous diriez-vous comment cela s'est "
        "passé ? Cela prend une minute, et chaque réponse nous aide à progresser :\n"
        "{{ survey.link }}",
    ),
    ("survey_invitation", "email", "es"): _email(
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
    ("voucher", "email", "en"): _email(
        "en",
        "A little something for you",
        "We have a voucher for you: {{ voucher.code }}. Just show it at your next visit. "
        "It's valid until {{ voucher.expires }}.",
        marketing=True,
    ),
    ("voucher", "email", "fr"): _email(
        "fr",
        "Un petit cadeau pour vous",
        "Voici un bon pour vous : {{ voucher.code }}. Présentez-le lors de votre prochaine "
        "visite. Il est valable jusqu'au {{ voucher.expires }}.",
        marketing=True,
    ),
    ("voucher", "email", "es"): _email(
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
    ("payment_reminder", "email", "en"): _email(
        "en",
        "A gentle reminder about your invoice",
        "We know things come up, so this is just a gentle reminder: {{ invoice.amount }} was "
        "due on {{ invoice.due_date }}. You can pay in a minute here:\n{{ invoice.pay_link }}\n\n"
        "If you've already paid, thank you, and please ignore this. If now is a difficult "
        "time, just reply and we'll work something out together.",
    ),
    ("payment_reminder", "email", "fr"): _email(
        "fr",
        "Un petit rappel concernant votre facture",
        "Nous savons que les imprévus arrivent, voici donc un simple rappel : "
        "{{ invoice.amount }} étaient dus le {{ invoice.due_date }}. Vous pouvez régler en "
        "une minute ici :\n{{ invoice.pay_link }}\n\nSi c'est déjà fait, merci et ne tenez pas "
        "compte de ce message. Si le moment est difficile, répondez-nous simplement et nous "
        "trouverons une solution ensemble.",
    ),
    ("payment_reminder", "email", "es"): _email(
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
    ("outage_notice", "email", "en"): _email(
        "en",
        "Service interruption in {{ outage.area }}",
        "We're sorry: there is a service interruption in {{ outage.area }}. We're working on it "
        "and expect everything back by {{ outage.until }}. Thank you for your patience.",
    ),
    ("outage_notice", "email", "fr"): _email(
        "fr",
        "Interruption de service : {{ outage.area }}",
        "Nous sommes désolés : le service est interrompu à {{ outage.area }}. Nous y travaillons "
        "et prévoyons un retour à la normale d'ici {{ outage.until }}. Merci de votre patience.",
    ),
    ("outage_notice", "email", "es"): _email(
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
    ("sms_stop_confirmation", "email", "en"): _email(
        "en",
        "You won't get texts from us any more",
        "You are unsubscribed from our text messages. If you change your mind, reply START to "
        "any of our texts.",
    ),
    ("sms_stop_confirmation", "email", "fr"): _email(
        "fr",
        "Vous ne recevrez plus nos SMS",
        "Vous êtes désabonné(e) de nos SMS. Si vous changez d'avis, répondez START à l'un de "
        "nos messages.",
    ),
    ("sms_stop_confirmation", "email", "es"): _email(
        "es",
        "Ya no recibirás nuestros SMS",
        "Te has dado de baja de nuestros SMS. Si cambias de opinión, responde START a "
        "cualquiera de nuestros mensajes.",
    ),
    # --- campaign (marketing, generic) ---------------------------------------------------------
    ("campaign", "email", "en"): _email(
        "en",
        "News from {{ business.name }}",
        "We have something new we think you'll like. Take a look:\n{{ link }}",
        marketing=True,
    ),
    ("campaign", "email", "fr"): _email(
        "fr",
        "Des nouvelles de {{ business.name }}",
        "Nous avons une nouveauté qui devrait vous plaire. Découvrez-la :\n{{ link }}",
        marketing=True,
    ),
    ("campaign", "email", "es"): _email(
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
}

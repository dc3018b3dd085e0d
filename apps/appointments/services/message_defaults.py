"""The appointment messages every business starts with, in English, French and Spanish (voice
in English); registered with their purposes in `AppointmentsConfig.ready()`."""

from __future__ import annotations

from apps.messaging.services.template_defaults import DefaultKey, email_default

_APPT_EN = "{{ appointment.service }} with {{ appointment.staff }} on {{ appointment.starts_at }}"
_APPT_FR = "{{ appointment.service }} avec {{ appointment.staff }} le {{ appointment.starts_at }}"
_APPT_ES = "{{ appointment.service }} con {{ appointment.staff }} el {{ appointment.starts_at }}"

DEFAULT_TEMPLATES: dict[DefaultKey, tuple[str, str]] = {
    # --- appointment confirmation --------------------------------------------------------------
    ("appointment_confirmation", "email", "en"): email_default(
        "en",
        "You're booked: {{ appointment.starts_at }}",
        f"Thank you for booking with us. Here are the details:\n{_APPT_EN}.\n\n"
        "Need to change something? Just use this link: {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "email", "fr"): email_default(
        "fr",
        "Votre rendez-vous est confirmé : {{ appointment.starts_at }}",
        f"Merci pour votre réservation. Voici les détails :\n{_APPT_FR}.\n\n"
        "Un changement ? Il suffit d'utiliser ce lien : {{ appointment.confirm_link }}",
    ),
    ("appointment_confirmation", "email", "es"): email_default(
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
    ("appointment_reminder", "email", "en"): email_default(
        "en",
        "See you soon: {{ appointment.starts_at }}",
        f"A friendly reminder of your appointment:\n{_APPT_EN}.\n\n"
        "Please confirm you're coming, or let us know if you need another time: "
        "{{ appointment.confirm_link }}",
    ),
    ("appointment_reminder", "email", "fr"): email_default(
        "fr",
        "À bientôt : {{ appointment.starts_at }}",
        f"Petit rappel de votre rendez-vous :\n{_APPT_FR}.\n\n"
        "Merci de confirmer votre venue, ou de nous dire s'il vous faut un autre créneau : "
        "{{ appointment.confirm_link }}",
    ),
    ("appointment_reminder", "email", "es"): email_default(
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
    ("appointment_recall", "email", "en"): email_default(
        "en",
        "Time for your next {{ appointment.service }}",
        "It has been a while since your last {{ appointment.service }} with us, and it's time "
        "for the next one. Pick a time that suits you here:\n{{ booking_link }}\n\n"
        "Already booked by phone? Then we look forward to seeing you!",
    ),
    ("appointment_recall", "email", "fr"): email_default(
        "fr",
        "C'est le moment de votre prochain rendez-vous : {{ appointment.service }}",
        "Votre dernier rendez-vous {{ appointment.service }} date un peu, et le suivant est "
        "dû. Choisissez le créneau qui vous convient ici :\n{{ booking_link }}\n\n"
        "Déjà réservé par téléphone ? Alors à très bientôt !",
    ),
    ("appointment_recall", "email", "es"): email_default(
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
    ("waitlist_offer", "email", "en"): email_default(
        "en",
        "A time came free: {{ appointment.starts_at }}",
        "Good news: a time for {{ appointment.service }} has come free on "
        "{{ appointment.starts_at }}. Others are waiting too, so whoever books first gets it:\n"
        "{{ booking_link }}",
    ),
    ("waitlist_offer", "email", "fr"): email_default(
        "fr",
        "Un créneau s'est libéré : {{ appointment.starts_at }}",
        "Bonne nouvelle : un créneau {{ appointment.service }} s'est libéré le "
        "{{ appointment.starts_at }}. D'autres personnes attendent aussi, le premier à réserver "
        "l'obtient :\n{{ booking_link }}",
    ),
    ("waitlist_offer", "email", "es"): email_default(
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
}

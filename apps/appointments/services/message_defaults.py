"""The appointment messages every business starts with, in English, French and Spanish (voice
in English); registered with their purposes in `AppointmentsConfig.ready()`. Every change a
customer did not make themselves is told (cancelled by the practice, moved, a request
declined), and so is one they made online (their cancellation, confirmed)."""

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
    # --- cancelled by the practice -------------------------------------------------------------
    ("appointment_cancelled", "email", "en"): email_default(
        "en",
        "Your appointment is cancelled: {{ appointment.starts_at }}",
        f"We're sorry: we had to cancel your appointment:\n{_APPT_EN}.\n\n"
        "Please choose another time that suits you here: {{ booking_link }}\n"
        "Or simply reply to this e-mail, and we'll find one together.",
    ),
    ("appointment_cancelled", "email", "fr"): email_default(
        "fr",
        "Votre rendez-vous est annulé : {{ appointment.starts_at }}",
        f"Nous sommes désolés : nous avons dû annuler votre rendez-vous :\n{_APPT_FR}.\n\n"
        "Choisissez un autre créneau qui vous convient ici : {{ booking_link }}\n"
        "Ou répondez simplement à cet e-mail, et nous en trouverons un ensemble.",
    ),
    ("appointment_cancelled", "email", "es"): email_default(
        "es",
        "Tu cita está cancelada: {{ appointment.starts_at }}",
        f"Lo sentimos: hemos tenido que cancelar tu cita:\n{_APPT_ES}.\n\n"
        "Elige otra hora que te venga bien aquí: {{ booking_link }}\n"
        "O responde a este correo y buscaremos una juntos.",
    ),
    ("appointment_cancelled", "sms", "en"): (
        "",
        "{{ business.name }}: sorry, we had to cancel your {{ appointment.service }} on "
        "{{ appointment.starts_at }}. Book another time: {{ booking_link }}",
    ),
    ("appointment_cancelled", "sms", "fr"): (
        "",
        "{{ business.name }} : désolés, nous avons dû annuler votre rendez-vous "
        "{{ appointment.service }} du {{ appointment.starts_at }}. Autre créneau : "
        "{{ booking_link }}",
    ),
    ("appointment_cancelled", "sms", "es"): (
        "",
        "{{ business.name }}: lo sentimos, hemos cancelado tu cita de "
        "{{ appointment.service }} del {{ appointment.starts_at }}. Reserva otra hora: "
        "{{ booking_link }}",
    ),
    ("appointment_cancelled", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. We're sorry, we had to "
        "cancel your {{ appointment.service }} appointment on {{ appointment.starts_at }}. "
        "We've sent you a link to choose another time, or please give us a call. Thank you!",
    ),
    # --- cancelled by the customer online (their confirmation) --------------------------------
    ("appointment_cancelled_by_customer", "email", "en"): email_default(
        "en",
        "Cancelled as you asked: {{ appointment.starts_at }}",
        f"This confirms that you cancelled your appointment:\n{_APPT_EN}.\n\n"
        "Whenever you'd like to come, book a new time here: {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "email", "fr"): email_default(
        "fr",
        "Annulé comme demandé : {{ appointment.starts_at }}",
        f"Nous vous confirmons l'annulation de votre rendez-vous :\n{_APPT_FR}.\n\n"
        "Quand vous le souhaitez, réservez un nouveau créneau ici : {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "email", "es"): email_default(
        "es",
        "Cancelada como pediste: {{ appointment.starts_at }}",
        f"Te confirmamos que has cancelado tu cita:\n{_APPT_ES}.\n\n"
        "Cuando quieras venir, reserva una nueva hora aquí: {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "sms", "en"): (
        "",
        "{{ business.name }}: your {{ appointment.service }} on {{ appointment.starts_at }} is "
        "cancelled, as you asked. Book again anytime: {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "sms", "fr"): (
        "",
        "{{ business.name }} : votre rendez-vous {{ appointment.service }} du "
        "{{ appointment.starts_at }} est annulé, comme demandé. Réserver : {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "sms", "es"): (
        "",
        "{{ business.name }}: tu cita de {{ appointment.service }} del "
        "{{ appointment.starts_at }} queda cancelada, como pediste. Reserva: {{ booking_link }}",
    ),
    ("appointment_cancelled_by_customer", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. Your "
        "{{ appointment.service }} appointment on {{ appointment.starts_at }} is cancelled, as "
        "you asked. We hope to see you another time. Goodbye!",
    ),
    # --- moved (by the practice or the customer) ------------------------------------------------
    ("appointment_moved", "email", "en"): email_default(
        "en",
        "Your appointment has moved: {{ appointment.starts_at }}",
        "Your appointment has a new time.\n"
        "New: {{ appointment.starts_at }}\n"
        "No longer: {{ appointment.previous_starts_at }}\n\n"
        "{{ appointment.service }} with {{ appointment.staff }}.\n\n"
        "Need to change something? Just use this link: {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "email", "fr"): email_default(
        "fr",
        "Votre rendez-vous a changé d'horaire : {{ appointment.starts_at }}",
        "Votre rendez-vous a un nouvel horaire.\n"
        "Nouveau : {{ appointment.starts_at }}\n"
        "Ancien : {{ appointment.previous_starts_at }}\n\n"
        "{{ appointment.service }} avec {{ appointment.staff }}.\n\n"
        "Un changement ? Il suffit d'utiliser ce lien : {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "email", "es"): email_default(
        "es",
        "Tu cita ha cambiado de hora: {{ appointment.starts_at }}",
        "Tu cita tiene una nueva hora.\n"
        "Nueva: {{ appointment.starts_at }}\n"
        "Anterior: {{ appointment.previous_starts_at }}\n\n"
        "{{ appointment.service }} con {{ appointment.staff }}.\n\n"
        "¿Necesitas cambiar algo? Usa este enlace: {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "sms", "en"): (
        "",
        "{{ business.name }}: your {{ appointment.service }} has moved to "
        "{{ appointment.starts_at }} (was {{ appointment.previous_starts_at }}). "
        "Details: {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "sms", "fr"): (
        "",
        "{{ business.name }} : votre rendez-vous {{ appointment.service }} est déplacé au "
        "{{ appointment.starts_at }} (au lieu du {{ appointment.previous_starts_at }}). "
        "Détails : {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "sms", "es"): (
        "",
        "{{ business.name }}: tu cita de {{ appointment.service }} pasa al "
        "{{ appointment.starts_at }} (antes {{ appointment.previous_starts_at }}). "
        "Detalles: {{ appointment.confirm_link }}",
    ),
    ("appointment_moved", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. Your "
        "{{ appointment.service }} appointment has moved to {{ appointment.starts_at }}, "
        "instead of {{ appointment.previous_starts_at }}. See you then!",
    ),
    # --- a booking request the practice declined ------------------------------------------------
    ("booking_declined", "email", "en"): email_default(
        "en",
        "We can't confirm your request for {{ appointment.starts_at }}",
        "Thank you for your request for {{ appointment.service }} on "
        "{{ appointment.starts_at }}. We're sorry, we can't take it at that time.\n\n"
        "Please choose another time here: {{ booking_link }}\n"
        "Or reply to this e-mail, and we'll find one together.",
    ),
    ("booking_declined", "email", "fr"): email_default(
        "fr",
        "Nous ne pouvons pas confirmer votre demande du {{ appointment.starts_at }}",
        "Merci pour votre demande de rendez-vous {{ appointment.service }} le "
        "{{ appointment.starts_at }}. Nous sommes désolés, nous ne pouvons pas la prendre à ce "
        "moment-là.\n\nChoisissez un autre créneau ici : {{ booking_link }}\n"
        "Ou répondez à cet e-mail, et nous en trouverons un ensemble.",
    ),
    ("booking_declined", "email", "es"): email_default(
        "es",
        "No podemos confirmar tu solicitud para el {{ appointment.starts_at }}",
        "Gracias por tu solicitud de {{ appointment.service }} para el "
        "{{ appointment.starts_at }}. Lo sentimos, no podemos atenderte a esa hora.\n\n"
        "Elige otra hora aquí: {{ booking_link }}\n"
        "O responde a este correo y buscaremos una juntos.",
    ),
    ("booking_declined", "sms", "en"): (
        "",
        "{{ business.name }}: sorry, we can't take your request for {{ appointment.service }} "
        "on {{ appointment.starts_at }}. Choose another time: {{ booking_link }}",
    ),
    ("booking_declined", "sms", "fr"): (
        "",
        "{{ business.name }} : désolés, nous ne pouvons pas prendre votre demande "
        "{{ appointment.service }} du {{ appointment.starts_at }}. Autre créneau : "
        "{{ booking_link }}",
    ),
    ("booking_declined", "sms", "es"): (
        "",
        "{{ business.name }}: lo sentimos, no podemos atender tu solicitud de "
        "{{ appointment.service }} del {{ appointment.starts_at }}. Elige otra hora: "
        "{{ booking_link }}",
    ),
    ("booking_declined", "voice", "en"): (
        "",
        "Hello {{ contact.first_name }}, this is {{ business.name }}. We're sorry, we can't "
        "take your request for {{ appointment.service }} on {{ appointment.starts_at }}. "
        "We've sent you a link to choose another time. Thank you!",
    ),
}

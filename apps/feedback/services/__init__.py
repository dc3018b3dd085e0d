"""Every write of feedback, by area: common.py (settings, opening-hours arithmetic),
surveys.py (surveys, questions, root causes), invitations.py (asking: limits, sending,
reminders, expiry, clicks), responses.py (answers), cases.py (recovery cases, gestures,
"remember" notes, alerts, escalation), subscriber.py (the timeline subscriber: triggers and
SMS number replies), privacy.py (merge, export, erasure). Import from the module that holds
the function."""

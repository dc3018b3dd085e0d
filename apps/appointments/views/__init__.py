"""The pages of appointments: set-up, calendar, the public booking page, the waitlist."""

"""Writes of events, by topic: `registrations` (register, cancel, waiting list, reminders) and `followup`
(attendance, replay and satisfaction survey)."""

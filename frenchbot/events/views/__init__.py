"""The pages of events, by topic: `registrations` (list, event page, register, the registrant's page,
cancel, invitation) and `survey` (the satisfaction survey after the event)."""

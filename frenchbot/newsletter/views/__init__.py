"""The pages of the newsletter, by topic: `signup` (the sign-up, the confirmation, the preferences and
unsubscribing, reached from the e-mails) and `archive` (the published letters and their feed)."""

"""Writes of the newsletter, by topic: `subscriptions` (sign-up, double opt-in, preferences, unsubscribing) and
`sending` (issues, deliveries, bounces)."""

"""The back-office pages, one module per topic: `leads` (the pipeline, bookings, unanswered questions),
`newsletter` and `events`."""

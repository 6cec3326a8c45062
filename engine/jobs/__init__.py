"""Background jobs: a table of keyed jobs fed by the transactional outbox, run by rq workers or in-process."""

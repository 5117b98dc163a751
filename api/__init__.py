"""Ways in: the command line (and later HTTP, web pages, Celery tasks). Calls engine/."""

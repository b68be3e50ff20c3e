"""Project plumbing: settings, URLs, the WSGI entry, the health check, the client address
behind a proxy (``proxy``) and the one htmx rule (``htmx``)."""

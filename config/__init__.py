"""Project configuration: settings, URLs and the ASGI application (named config, not site)."""

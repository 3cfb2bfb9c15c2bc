"""Demo live sessions for `manage.py load_demo` (filled in by the live module)."""


def load_demo_sessions(*, consultation, facilitator):
    """Create the demo live session for a consultation; return lines for the console."""
    return []

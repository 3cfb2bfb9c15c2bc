"""Development settings: the embedded default (SQLite, in-memory layer) with DEBUG on."""

from .base import *  # noqa: F403

DEBUG = True
ALLOWED_HOSTS = ["*"]
WHITENOISE_AUTOREFRESH = True
# Mail: SMTP to EMAIL_HOST:EMAIL_PORT (base.py); without a mail server there, `make run` prints what it would send.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")  # noqa: F405

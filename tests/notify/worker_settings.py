"""Settings of the worker process the notification tests start: the test settings, a short digest gather."""

from config.settings.test import *  # noqa: F403

CYD_NOTIFY_GATHER_SECONDS = 2  # long enough for a test's two events to meet in one digest, short enough to wait for
ROOT_URLCONF = "tests.notify.urls"  # until config/urls.py includes notify's URLs (harmless after)

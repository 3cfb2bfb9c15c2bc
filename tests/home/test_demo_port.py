"""`make run PORT=8101` prints links that work on port 8101 and stores that port in the Wagtail Site."""

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Site

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


def _links(out):
    return re.findall(r"https?://[^\s)]+", out)


def test_editor_can_follow_every_link_load_demo_prints_on_the_port_it_serves(demo, settings, capsys):
    settings.DEBUG = True
    for port in (8101, 8102):  # a second run on another port moves the site too
        settings.WAGTAILADMIN_BASE_URL = f"http://127.0.0.1:{port}"  # what `make run PORT=...` exports
        call_command("load_demo")
        links = _links(capsys.readouterr().out)
        assert len(links) >= 6  # citizens, join form, console, results, public site, admin
        assert all(link.startswith(f"http://127.0.0.1:{port}/") for link in links), links
        site = Site.objects.get(is_default_site=True)
        assert (site.hostname, site.port) == ("127.0.0.1", port)


def test_make_run_passes_its_host_and_port_to_every_command(tmp_path):
    show = tmp_path / "show.mk"
    show.write_text('show-base-url:\n\t@echo "$$WAGTAILADMIN_BASE_URL"\n')
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", str(show), "show-base-url", "PORT=8101"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "http://127.0.0.1:8101"
    out = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", str(show), "show-base-url", "HOST=0.0.0.0", "PORT=9000"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "http://127.0.0.1:9000"  # listening everywhere, reached here
    # An address set on purpose (say, behind a proxy) is kept.
    out = subprocess.run(
        ["make", "-s", "-f", "Makefile", "-f", str(show), "show-base-url", "PORT=8101"],
        cwd=ROOT,
        env=env | {"WAGTAILADMIN_BASE_URL": "https://cyd.example.org"},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "https://cyd.example.org"

"""Site-wide behaviour: health check, production settings, error pages, security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_health_reports_database_and_channel_layer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "channel_layer": "ok"}


@pytest.mark.django_db
def test_health_is_503_when_the_channel_layer_fails(client, monkeypatch):
    from config import views

    async def broken():
        raise ConnectionError("layer down")

    monkeypatch.setattr(views, "_layer_round_trip", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["channel_layer"] == "fail"


def test_health_is_503_when_the_database_fails(client, monkeypatch):
    from config import views

    monkeypatch.setattr(views, "_database_ok", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503 and response.json()["database"] == "fail"


def _production(env_overrides, *args):
    """Run manage.py with production settings and the given environment."""
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}}
    env.update({"DJANGO_SETTINGS_MODULE": "config.settings.production"} | env_overrides)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS"])
def test_production_settings_refuse_to_start_without_a_secret(missing):
    env = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "cyd.example.org"}
    del env[missing]
    done = _production(env, "check")
    assert done.returncode != 0
    assert f"Production settings need the environment variable {missing}" in done.stderr


def test_production_settings_pass_the_deploy_check():
    secret = "k3y-" + "a7F!q9Z%w2" * 6
    done = _production({"SECRET_KEY": secret, "ALLOWED_HOSTS": "cyd.example.org"}, "check", "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


@pytest.mark.django_db
@pytest.mark.parametrize("lang,text", [("en", "Page not found"), ("cy", "Heb ddod o hyd i’r dudalen")])
def test_unknown_page_is_a_bilingual_404(client, lang, text):
    response = client.get(f"/{lang}/no-such-page-at-all/")
    assert response.status_code == 404
    assert text in response.content.decode()


def test_server_error_page_needs_no_database(rf):
    from config.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "problem with the service" in response.content.decode()


@pytest.mark.django_db
def test_public_pages_send_a_strict_content_security_policy(client):
    response = client.get("/en/join/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


@pytest.mark.django_db
def test_language_switch_is_remembered_and_keeps_the_page(client):
    response = client.get("/language/cy/?next=/en/join/")
    assert response.status_code == 302 and response["Location"] == "/cy/join/"
    assert response.cookies["cyd_language"].value == "cy"
    assert client.get("/language/cy/?next=https://evil.example/")["Location"] == "/cy/"

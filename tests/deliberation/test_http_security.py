"""HTTP security of the live module: redirects, presenter keys and join-code guessing."""

import pytest

from tests.conftest import rounds_of


@pytest.mark.parametrize("target", ["//evil.example/path", "https://evil.example/", "/\\evil.example/", "///evil.example"])
def test_visitor_cannot_be_sent_off_site_by_the_act_form(client, live, target):
    client.post(f"/en/s/{live.code}/", {"name": "Alys"})
    response = client.post(f"/en/s/{live.code}/act/", {"action": "participant.rename", "name": "Bea", "next": target})
    assert response.status_code == 302
    assert response["Location"] == f"/en/s/{live.code}/"


def test_facilitator_can_be_sent_back_to_the_console_by_the_act_form(client, live, facilitator):
    client.force_login(facilitator)
    back = f"/en/s/{live.code}/facilitate/#paper-heading"
    response = client.post(f"/en/s/{live.code}/act/", {"action": "round.close", "round": rounds_of(live)["vote"].pk,
                                                        "next": back})  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back


@pytest.mark.parametrize("target", ["//evil.example/path", "https://evil.example/"])
def test_visitor_cannot_be_sent_off_site_by_the_language_switch(client, target):
    response = client.get(f"/language/cy/?next={target}")
    assert response.status_code == 302 and response["Location"] == "/cy/"

"""The whole flow over real sockets against a real daphne process: propose, moderate, comment, vote, publish."""

import json

import pytest

from tests.servers import Browserless, daphne, fresh_database, new_session, prepare, server_env

CODE = "E2EFLW"


@pytest.fixture(scope="module")
def server():
    """A daphne process on a fresh database with the demo content and a new three-round session."""
    env = server_env(fresh_database("e2e"))
    prepare(env)
    rounds = new_session(env, CODE)
    with daphne(env) as (base, _process):
        yield base, rounds, env


def test_people_can_run_a_whole_session_over_real_sockets(server):
    base, (proposal_round, comment_round, vote_round), _env = server
    fac_browser = Browserless(base)
    fac_browser.login("facilitator", "cyd-facilitator-demo")
    fac = fac_browser.socket(CODE)
    assert fac.state["payload"]["viewer"]["facilitator"] is True

    people = {}
    for name, lang in (("Alys", "en"), ("Bryn", "cy"), ("Cerys", "en")):
        browser = Browserless(base)
        browser.join(CODE, name, lang=lang)
        people[name] = browser.socket(CODE)
    alys, bryn, cerys = people["Alys"], people["Bryn"], people["Cerys"]

    # Proposal round: three people propose; everyone sees each one arrive.
    fac.ok("round.open", {"round": proposal_round})
    ids = {}
    for name, title in (("Alys", "Bus to the surgery"), ("Bryn", "Bws i’r feddygfa"), ("Cerys", "Community car scheme")):
        ids[name] = people[name].ok("proposal.submit", {"round": proposal_round, "title": title})["id"]
    spam = alys.ok("proposal.submit", {"round": proposal_round, "title": "Cheap taxis 07700 900123"})["id"]
    for person in (alys, bryn, cerys, fac):
        person.wait_event("proposal.submitted", proposal__title="Community car scheme")

    # Moderation in the open: hide with a reason, merge a duplicate.
    fac.ok("proposal.hide", {"id": spam, "reason": "Advertising or spam"})
    hidden = cerys.wait_event("proposal.hidden", proposal__id=spam)
    assert hidden["payload"]["proposal"]["reason"] == "spam"  # a preset travels as its code; pages translate it
    assert "title" not in hidden["payload"]["proposal"]
    fac.ok("proposal.merge", {"id": ids["Bryn"], "into": ids["Alys"]})
    merged = bryn.wait_event("proposal.merged", proposal__id=ids["Bryn"])
    assert merged["payload"]["into"]["id"] == ids["Alys"]  # Bryn's page can tell Bryn where it went
    fac.ok("round.close", {"round": proposal_round})

    # Comment round.
    fac.ok("round.open", {"round": comment_round})
    bryn.ok("comment.submit", {"round": comment_round, "proposal": ids["Alys"], "body": "Da iawn", "stance": "for"})
    top = cerys.ok("comment.submit", {"round": comment_round, "proposal": ids["Cerys"], "body": "Who drives?"})
    alys.ok("comment.submit", {"round": comment_round, "proposal": ids["Cerys"], "body": "Volunteers", "parent": top["id"]})
    fac.wait_event("comment.submitted", comment__parent=top["id"])
    fac.ok("round.close", {"round": comment_round})

    # Vote round on the remaining proposals: a changed ballot and a paper ballot.
    fac.ok("round.open", {"round": vote_round})
    opened = alys.wait_event("round.opened", round__id=vote_round)
    assert sorted(opened["payload"]["round"]["ballot"]) == sorted([ids["Alys"], ids["Cerys"]])
    first = alys.ok("ballot.cast", {"round": vote_round, "ranking": [ids["Cerys"]]})
    changed = alys.ok("ballot.cast", {"round": vote_round, "ranking": [ids["Alys"], ids["Cerys"]]})
    assert first["receipt"] == changed["receipt"]
    bryn.ok("ballot.cast", {"round": vote_round, "ranking": [ids["Alys"]]})
    cerys.ok("ballot.cast", {"round": vote_round, "ranking": [ids["Cerys"], ids["Alys"]]})
    fac.ok("ballot.enter_paper", {"round": vote_round, "ranking": [ids["Alys"]]})
    assert fac.wait_event("ballot.paper_entered")["payload"]["ballots"] == 4
    assert cerys.send("ballot.enter_paper", {"round": vote_round, "ranking": [ids["Alys"]]})["code"] == "forbidden"

    # Closing counts; nobody but facilitators sees the result until it is published.
    fac.ok("round.close", {"round": vote_round})
    counted = fac.wait_event("round.counted")
    assert counted["payload"]["result"]["winners"] == ["Bus to the surgery"]
    assert counted["payload"]["result"]["ballots"] == 4
    alys.wait_event("round.closed", round__id=vote_round)
    assert all(e["type"] != "round.counted" for e in alys.events)
    fac.ok("round.publish", {"round": vote_round})
    published = bryn.wait_event("round.published")
    assert published["payload"]["result"]["winners"] == ["Bus to the surgery"]
    stages = published["payload"]["result"]["stages"]
    assert stages and stages[0]["votes"]["Bus to the surgery"] == 3

    # Every participant saw the public events without a gap (each names the one before it) and no facilitator-only one.
    for person in (alys, bryn, cerys):
        events = person.events
        assert [e["prev"] for e in events[1:]] == [e["seq"] for e in events[:-1]]
        assert not {e["type"] for e in events} & {"participant.joined", "ballot.cast", "round.counted"}
    seqs = [e["seq"] for e in fac.events]
    assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # a facilitator gets every event

    # The results page and the consultation page show the published count.
    browser = Browserless(base)
    status, _url, results = browser.get(f"/en/s/{CODE}/results/{vote_round}/")
    assert status == 200 and "Bus to the surgery" in results and "Stage 1" in results
    status, _url, blt = browser.get(f"/en/s/{CODE}/results/{vote_round}.blt")
    assert status == 200 and blt.startswith("2 1\n")
    import re

    status, _url, home = browser.get("/en/")
    links = set(re.findall(r'href="(/en/[^"#]+/[^"#]+/)"', home))
    pages = [browser.get(link)[2] for link in sorted(links)]
    consultation = next((p for p in pages if "End-to-end session" in p), None)
    assert consultation is not None, "no consultation page lists the live session"
    assert f"/results/{vote_round}/" in consultation and "Bus to the surgery" in consultation
    for person in (fac, alys, bryn, cerys):
        person.close()


def test_participant_can_join_and_resync_a_session_whose_state_is_larger_than_an_incoming_frame(server):
    """The 16 KB limit is on what clients send: the server's own state and replays may be larger (found at N=200)."""
    base, _rounds, env = server
    proposal_round = new_session(env, "BIG16K", title="A long session")[0]
    fac_browser = Browserless(base)
    fac_browser.login("facilitator", "cyd-facilitator-demo")
    fac = fac_browser.socket("BIG16K")
    fac.ok("round.open", {"round": proposal_round})
    body = "Buses to every surgery in the county, every hour, every day of the week. " * 13  # under BODY_MAX
    for n in range(5):
        author = Browserless(base)
        author.join("BIG16K", f"Author {n}")
        socket = author.socket("BIG16K")
        for k in range(6):
            socket.ok("proposal.submit", {"round": proposal_round, "title": f"Idea {n}-{k}", "body": body})
        socket.close()
    newcomer = Browserless(base)
    newcomer.join("BIG16K", "Late")
    late = newcomer.socket("BIG16K")  # the state message is over 16 KB
    assert len(late.state["payload"]["proposals"]) == 30
    assert len(json.dumps(late.state)) > 16 * 1024
    replay = late.ok("sync", after=0)  # so is the replay of every event
    assert len(json.dumps(replay)) > 16 * 1024
    assert sum(1 for e in replay["events"] if e["type"] == "proposal.submitted") == 30
    assert late.ok("ping")["seq"] >= 30  # the socket is still up
    late.close()
    fac.close()

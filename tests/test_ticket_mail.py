"""Tickets reach their customer by mail (a real SMTP server on loopback) and come back through the
customer's ticket page: the offline acknowledgement, threaded replies, the signed link (wrong,
expired, revoked), the customer's replies, and mails that failed shown on the ticket."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator

import pytest
import redis as sync_redis
from itsdangerous import TimestampSigner
from starlette.testclient import TestClient

from chatdesk.desk.ticket_links import ticket_token
from chatdesk.web.app import create_app
from tests.conftest import bearer, run
from tests.mail_helpers import mail_rows, sending_to
from tests.realtime_helpers import wait_until
from tests.ticket_mail_helpers import TEAL, customer_address, link_in, mails_to, parts, teal_widget
from tests.workspace_helpers import sql


@pytest.fixture
def mailing(settings, sink, redis_url) -> Iterator[TestClient]:
    """The app, sending its mail to the test's SMTP server; a customer may post 3 replies a minute."""
    sync_redis.Redis.from_url(redis_url).flushdb()
    own = sending_to(settings, sink, ticket_reply_rate="3 per minute")
    with TestClient(create_app(own), raise_server_exceptions=False) as client:
        yield client


def _offline_message(client: TestClient, database_url: str, email: str, body: str = "My teapot leaks.") -> str:
    response = client.post(f"/api/v1/widgets/{teal_widget(database_url)}/offline-messages",
                           json={"name": "Priya Patel", "email": email, "body": body})
    assert response.status_code == 201, response.text
    return response.json()["ticket_id"]


def _token(link: str) -> str:
    return link.rsplit("/t/", 1)[1]


def test_the_acknowledgement_and_each_reply_are_threaded_with_the_link(mailing, database_url, sink, make_agent, login):
    email = customer_address()
    ticket_id = _offline_message(mailing, database_url, email, "My teapot leaks.\nCan you help?")
    [ack] = mails_to(sink, email, 1)
    assert ack["Subject"] == f"We received your message [#{uuid.UUID(ticket_id).hex[:8].upper()}]"
    assert ack["In-Reply-To"] is None and ack["References"] is None
    text, html = parts(ack)
    assert "> My teapot leaks.\n> Can you help?" in text and "Nobody at Teapot Shop could chat" in text
    assert f"background:{TEAL}" in html
    page = mailing.get(f"/api/v1/ticket-page/{_token(link_in(ack))}")
    assert page.status_code == 200 and page.json()["subject"] == "My teapot leaks."

    agent = bearer(login(make_agent(name="Ada Lovelace"))["token"])
    for body in ("Sorry to hear that! Which model is it?", "We are sending a new lid."):
        assert mailing.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": body},
                            headers=agent).status_code == 201
    ack, first, second = mails_to(sink, email, 3)
    ref = uuid.UUID(ticket_id).hex[:8].upper()
    assert first["Subject"] == second["Subject"] == f"Re: My teapot leaks. [#{ref}]"
    assert (first["In-Reply-To"], first["References"]) == (ack["Message-ID"], ack["Message-ID"])
    assert second["In-Reply-To"] == first["Message-ID"]
    assert second["References"] == f"{ack['Message-ID']} {first['Message-ID']}"
    assert len({ack["Message-ID"], first["Message-ID"], second["Message-ID"]}) == 3
    text, html = parts(second)
    assert text.startswith("We are sending a new lid.") and "Ada Lovelace replied" in html
    assert f"background:{TEAL}" in html and "<img" not in html
    thread = mailing.get(f"/api/v1/ticket-page/{_token(link_in(second))}").json()["comments"]
    assert [(c["author"]["type"], c["body"]) for c in thread] == [
        ("visitor", "My teapot leaks.\nCan you help?"), ("agent", "Sorry to hear that! Which model is it?"),
        ("agent", "We are sending a new lid.")]
    assert all(set(c["author"]) == {"type", "name"} for c in thread)  # no agent ids


def test_the_customer_replies_on_the_page_and_a_solved_ticket_opens_again(mailing, database_url, make_agent, login,
                                                                           sink):
    email = customer_address()
    ticket_id = _offline_message(mailing, database_url, email)
    token = _token(link_in(mails_to(sink, email, 1)[0]))
    agent = bearer(login(make_agent(name="Ada Lovelace"))["token"])
    assert mailing.patch(f"/api/v1/tickets/{ticket_id}", json={"status": "solved"}, headers=agent).status_code == 200

    reply = mailing.post(f"/api/v1/ticket-page/{token}/replies", json={"body": "  It still leaks, sadly.  "})
    assert reply.status_code == 201, reply.text
    assert reply.json()["comment"]["body"] == "It still leaks, sadly."
    assert reply.json()["comment"]["author"] == {"type": "visitor", "name": "Priya Patel"}
    ticket = mailing.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json()
    assert ticket["status"] == "open"
    assert [c["body"] for c in ticket["comments"]][-2:] == ["It still leaks, sadly.",
                                                             "The customer replied; the ticket is open again"]
    page = mailing.get(f"/api/v1/ticket-page/{token}").json()
    assert page["status"] == "open" and "assignee" not in page
    assert [c["body"] for c in page["comments"]] == ["My teapot leaks.", "It still leaks, sadly."]  # no system lines

    blank = mailing.post(f"/api/v1/ticket-page/{token}/replies", json={"body": "   "})
    assert blank.status_code == 422 and blank.json()["error"]["code"] == "validation_error"
    statuses = [mailing.post(f"/api/v1/ticket-page/{token}/replies", json={"body": f"More {n}"}).status_code
                for n in range(3)]
    assert statuses == [201, 201, 429]  # 3 a minute per ticket, the first reply included


def test_a_wrong_an_expired_and_a_revoked_link_say_so_in_plain_words(mailing, database_url, make_agent, login,
                                                                      settings, sink):
    email = customer_address()
    ticket_id = _offline_message(mailing, database_url, email)
    token = _token(link_in(mails_to(sink, email, 1)[0]))

    for wrong in (token[:-2] + ("AA" if not token.endswith("AA") else "BB"), "nonsense", str(ticket_id)):
        answer = mailing.get(f"/api/v1/ticket-page/{wrong}")
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "link_unknown"
        assert "does not lead to a ticket" in answer.json()["error"]["message"]

    now = time.time()
    with pytest.MonkeyPatch.context() as patch:  # a link made 91 days ago
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: int(now - 91 * 86400))
        old = ticket_token(settings, uuid.UUID(ticket_id), 0)
    for method, path in (("GET", ""), ("POST", "/replies")):
        answer = mailing.request(method, f"/api/v1/ticket-page/{old}{path}", json={"body": "Hello?"})
        assert answer.status_code == 410 and answer.json()["error"]["code"] == "link_expired"
        assert "expired: links to a ticket work for 90 days" in answer.json()["error"]["message"]

    agent = bearer(login(make_agent(name="Ada Lovelace"))["token"])
    revoked = mailing.post(f"/api/v1/tickets/{ticket_id}/revoke-links", headers=agent)
    assert revoked.status_code == 200
    assert revoked.json()["comments"][-1]["body"] == "Ada Lovelace revoked the customer's links"
    for method, path in (("GET", ""), ("POST", "/replies")):
        answer = mailing.request(method, f"/api/v1/ticket-page/{token}{path}", json={"body": "Hello?"})
        assert answer.status_code == 410 and answer.json()["error"]["code"] == "link_revoked"
        assert "withdrawn by our team" in answer.json()["error"]["message"]
    assert mailing.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Here is a new link."},
                        headers=agent).status_code == 201
    fresh = _token(link_in(mails_to(sink, email, 2)[1]))
    assert fresh != token and mailing.get(f"/api/v1/ticket-page/{fresh}").status_code == 200
    page = mailing.get("/t/" + fresh)
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert page.headers["referrer-policy"] == "no-referrer" and page.headers["cache-control"] == "no-store"


def test_a_mail_refused_for_good_shows_on_the_ticket(mailing, database_url, make_agent, login, sink):
    email = customer_address()
    sink.refuse[email] = "550 5.1.1 No such user here"
    ticket_id = _offline_message(mailing, database_url, email)
    agent = bearer(login(make_agent())["token"])

    def failures() -> list[dict]:
        return mailing.get(f"/api/v1/tickets/{ticket_id}", headers=agent).json()["mail_failures"]

    [failure] = run(wait_until(failures, bool))
    assert failure["to"] == email and failure["subject"].startswith("We received your message")
    assert "refused the recipient" in failure["error"] and "550 5.1.1 No such user here" in failure["error"]


def test_a_reply_made_while_smtp_is_down_goes_out_once_it_is_back(mailing, database_url, make_agent, login, sink,
                                                                  settings):
    email = customer_address()
    ticket_id = _offline_message(mailing, database_url, email)
    [ack] = mails_to(sink, email, 1)
    sink.stop()
    agent = bearer(login(make_agent())["token"])
    assert mailing.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Your refund is on its way."},
                        headers=agent).status_code == 201

    [row] = sql(database_url, "SELECT message_id FROM chatdesk.mail_outbox WHERE ticket_id = $1 AND kind = "
                "'ticket_reply'", uuid.UUID(ticket_id))
    waiting = run(wait_until(lambda: mail_rows(settings, [row["message_id"]]),
                             lambda rows: rows[row["message_id"]].attempts >= 2))[row["message_id"]]
    assert waiting.status == "queued" and "could not connect" in waiting.last_error
    sink.start()
    [_, reply] = mails_to(sink, email, 2, timeout_s=30)
    assert reply["Message-ID"] == row["message_id"] and reply["In-Reply-To"] == ack["Message-ID"]
    assert sink.message_ids().count(row["message_id"]) == 1


def test_a_german_visitor_gets_the_acknowledgement_and_replies_in_german(mailing, database_url, sink, make_agent,
                                                                          login):
    email = customer_address()
    response = mailing.post(f"/api/v1/widgets/{teal_widget(database_url)}/offline-messages",
                            json={"name": "Jürgen", "email": email, "body": "Mein Deckel klemmt.", "language": "de-DE"})
    assert response.status_code == 201, response.text
    ticket_id = response.json()["ticket_id"]
    [ack] = mails_to(sink, email, 1)
    assert ack["Subject"].startswith("Wir haben Ihre Nachricht erhalten [#")
    text, html = parts(ack)
    assert "Vielen Dank, Jürgen" in text and "Ihre Nachricht:\n> Mein Deckel klemmt." in text
    assert '<html lang="de" dir="ltr">' in html and "Ansehen und antworten" in html
    assert mailing.get(f"/api/v1/ticket-page/{_token(link_in(ack))}").json()["language"] == "de"  # the page too

    agent = bearer(login(make_agent(name="Ada Lovelace"))["token"])
    assert mailing.post(f"/api/v1/tickets/{ticket_id}/comments", json={"body": "Wir schicken einen neuen."},
                        headers=agent).status_code == 201
    _, reply = mails_to(sink, email, 2)
    text, html = parts(reply)
    assert text.startswith("Wir schicken einen neuen.") and "Sie erhalten diese E-Mail, weil Sie" in text
    assert "Ada Lovelace hat geantwortet" in html

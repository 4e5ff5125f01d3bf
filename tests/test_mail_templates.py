"""Mail templates and SMTP settings: pure functions, no server."""

from __future__ import annotations

import inspect
import re
from datetime import date

import pytest
from pydantic import ValidationError

from chatdesk.config import Settings, SmtpServer
from chatdesk.desk.mail import templates
from chatdesk.desk.mail.templates import STRINGS, offline_acknowledgement, ticket_reply, trial_message

HOSTILE = '<script>alert("x")</script> & <img src="https://evil.example/t.gif">'


def test_the_offline_acknowledgement_quotes_the_message_in_both_parts():
    mail = offline_acknowledgement(name="Ada", message="My order #12 is late.\n\nCan you check?", team="Shop")
    assert mail.subject == STRINGS["offline_ack.subject"]
    assert "Thank you, Ada" in mail.text and "Nobody at Shop could chat" in mail.text
    assert "> My order #12 is late.\n>\n> Can you check?" in mail.text
    assert "Thank you, Ada" in mail.html and "My order #12 is late.\n\nCan you check?" in mail.html


def test_everything_a_customer_typed_is_escaped_in_the_html():
    mail = offline_acknowledgement(name=HOSTILE, message=HOSTILE, team=HOSTILE)
    assert "<script>" not in mail.html and "<img" not in mail.html
    # the name in the heading, the team in the body and the footer, the message in the quote
    assert mail.html.count("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img") == 4
    assert HOSTILE in mail.text  # plain text shows it as typed


def test_a_ticket_reply_escapes_what_people_typed_and_carries_the_link_in_both_parts():
    link = 'https://chat.example.com/t/abc.def"><script>'
    mail = ticket_reply(subject=HOSTILE, ref="3F2A9C1B", agent=HOSTILE, body=f"Line one\n{HOSTILE}", team=HOSTILE,
                        link=link, color="#0f766e")
    assert mail.subject == f"Re: {HOSTILE} [#3F2A9C1B]"
    assert "<script>" not in mail.html and "<img" not in mail.html
    assert 'href="https://chat.example.com/t/abc.def&quot;&gt;&lt;script&gt;"' in mail.html
    assert mail.text.startswith(f"Line one\n{HOSTILE}") and link in mail.text
    assert "background:#0f766e" in mail.html


def test_no_mail_loads_anything_from_elsewhere():
    for mail in (trial_message("https://chat.example.com"), offline_acknowledgement(name="A", message="B", team="C")):
        assert not re.search(r"<(img|link|script)\b|url\(|@import", mail.html)


@pytest.mark.parametrize(("color", "band"), [("#0f766e", "background:#0f766e"),
                                              ("red;background:url(https://evil.example)", "background:#2563eb")])
def test_the_band_takes_the_widget_colour_and_only_a_colour(color, band):
    html = offline_acknowledgement(name="A", message="B", team="C", color=color).html
    assert band in html and "evil.example" not in html


def test_every_catalogue_string_is_used_by_a_template():
    code = inspect.getsource(templates).split("STRINGS: dict[str, str] = {", 1)[1].split("\n}\n", 1)[1]
    assert [key for key in STRINGS if f'"{key}"' not in code] == []


@pytest.mark.parametrize(("url", "expected"), [
    ("smtp://mail.example.com", ("mail.example.com", 587, None, None, "if_offered")),
    ("smtp://relay%40example.com:p%2Fss@mail.example.com:2525", ("mail.example.com", 2525, "relay@example.com",
                                                                 "p/ss", "starttls")),
    ("smtps://u:p@mail.example.com", ("mail.example.com", 465, "u", "p", "implicit")),
    ("smtp://u:p@127.0.0.1:1025?tls=off&timeout=2", ("127.0.0.1", 1025, "u", "p", "off")),
])
def test_the_smtp_url_says_host_port_credentials_and_tls(url, expected):
    server = SmtpServer.parse(url)
    assert (server.host, server.port, server.username, server.password, server.tls) == expected


@pytest.mark.parametrize(("url", "complaint"), [
    ("http://mail.example.com", "smtp:// or smtps://"), ("smtp://", "names no host"),
    ("smtp://h?starttls=no", "unknown SMTP URL option"), ("smtp://h?tls=maybe", "tls= takes on or off"),
    ("smtp://h?timeout=0", "more than 0"),
])
def test_a_bad_smtp_url_is_refused_at_start_up_in_plain_words(url, complaint):
    with pytest.raises(ValidationError, match=re.escape(complaint)):
        Settings(CHATDESK_SMTP_URL=url)


def test_the_password_never_shows_and_message_ids_take_the_sender_s_domain():
    settings = Settings(CHATDESK_SMTP_URL="smtp://u:hunter2@mail.example.com",
                        CHATDESK_MAIL_FROM="Help <help@shop.example>")
    assert "hunter2" not in str(settings.shown()) and "hunter2" not in str(settings.smtp)
    assert settings.mail_domain == "shop.example"
    with pytest.raises(ValidationError, match="is not an address"):
        Settings(CHATDESK_MAIL_FROM="Support")


def test_account_mails_carry_their_link_in_both_parts_and_escape_names():
    url = "https://desk.example/workspace/#/invite/abc.def"
    mail = templates.invitation(name=HOSTILE, email="g@example.com", inviter="Ada", url=url, site="https://desk.example")
    assert mail.subject == "Ada invited you to chatdesk"
    assert f"Choose your password:\n{url}" in mail.text and mail.html.count(f'href="{url}"') == 2
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html
    reset = templates.password_reset(email="g@example.com", url=url, site="https://desk.example")
    assert "works once, for one hour" in reset.text and "ignore this message" in reset.html
    assert not re.search(r"<(img|link|script)\b|url\(|@import", mail.html + reset.html)


def test_a_transcript_escapes_every_name_and_message_and_names_the_zone():
    lines = [templates.TranscriptLine(HOSTILE, "14:05", HOSTILE), templates.TranscriptLine(None, "14:06", "Chat ended")]
    mail = templates.chat_transcript(team="Shop", day=date(2026, 11, 29), zone="Europe/Paris", lines=lines)
    assert "Times are in Europe/Paris." in mail.text and "[14:06] chatdesk:\n  Chat ended" in mail.text
    assert "<script>" not in mail.html and mail.html.count("&lt;script&gt;") == 2
    assert not re.search(r"<(img|link|script)\b|url\(|@import", mail.html)


def test_notifications_name_the_ticket_and_link_to_it():
    url = "https://desk.example/workspace/#/tickets/1"
    new = templates.ticket_created_notice(subject=HOSTILE, requester="Marie", url=url, site="https://desk.example")
    assigned = templates.ticket_assigned_notice(subject="Late parcel", requester="Marie", actor="Alan", url=url,
                                                site="https://desk.example")
    assert new.subject == f"New ticket: {HOSTILE}" and "<script>" not in new.html and url in new.text
    assert assigned.subject == "Assigned to you: Late parcel" and "Alan assigned you the ticket" in assigned.text

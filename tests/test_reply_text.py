"""What a customer wrote, cut from the quoted history real mail clients add (Gmail, Outlook, Apple
Mail, Thunderbird, phones), from text and from HTML; reading the mail's headers; the IMAP URL."""

from __future__ import annotations

import re

import pytest
from pydantic import ValidationError

from chatdesk.config import ImapServer, Settings
from chatdesk.desk.mail.incoming import parse_mail
from chatdesk.desk.mail.reply_text import html_to_text, strip_quoted
from chatdesk.desk.ticket_mail import ticket_ref
from tests.imap_helpers import customer_mail

GMAIL = """\
Yes, the new one works. Thank you!

On Sun, 29 Nov 2026 at 10:02, Acme Support <support@acme.example> wrote:

> Hi Ada,
>
> Could you try the replacement cable?
>
> Grace
"""

GMAIL_WRAPPED = """\
Works now.

On Sun, Nov 29, 2026 at 10:02 AM Acme Support via Help Desk <
support@acme.example> wrote:

> Could you try the replacement cable?
"""

OUTLOOK = """\
Please cancel the order.

Regards,
Bob

-----Original Message-----
From: Acme Support <support@acme.example>
Sent: Sunday, November 29, 2026 10:02 AM
To: Bob <bob@example.com>
Subject: RE: Order 1234 [#1a2b3c4d]

Your order has shipped.
"""

OUTLOOK_RULE = """\
Please cancel the order.

________________________________
From: Acme Support <support@acme.example>
Sent: Sunday, November 29, 2026 10:02
To: Bob
Subject: Order 1234
"""

OUTLOOK_HEADERS_ONLY = """\
I'll be home on Friday.

From: Acme Support <support@acme.example>
Date: Sunday, 29 November 2026 at 10:02
To: Bob <bob@example.com>
Subject: Delivery
"""

APPLE_MAIL = """\
Got it, thanks.

Sent from my iPhone

> On 29 Nov 2026, at 10:02, Acme Support <support@acme.example> wrote:
>
> Your refund is on its way.
"""

APPLE_MAIL_DESKTOP = """\
See the attached photo.

> On 29. Nov 2026, at 10:02, Acme Support <support@acme.example> wrote:
> \n> Your refund is on its way.
"""

THUNDERBIRD_SIGNATURE = """\
The link works now.

-- \nAda Lovelace
Analytical Engines Ltd
"""

FRENCH_GMAIL = """\
Merci beaucoup !

Le dim. 29 nov. 2026 à 10:02, Acme Support <support@acme.example> a écrit :
> Bonjour
"""

GERMAN_OUTLOOK = """\
Danke!

Am 29.11.2026 um 10:02 schrieb Acme Support <support@acme.example>:
> Hallo
"""


@pytest.mark.parametrize(("text", "reply"), [
    (GMAIL, "Yes, the new one works. Thank you!"),
    (GMAIL_WRAPPED, "Works now."),
    (OUTLOOK, "Please cancel the order.\n\nRegards,\nBob"),
    (OUTLOOK_RULE, "Please cancel the order."),
    (OUTLOOK_HEADERS_ONLY, "I'll be home on Friday."),
    (APPLE_MAIL, "Got it, thanks."),
    (APPLE_MAIL_DESKTOP, "See the attached photo."),
    (THUNDERBIRD_SIGNATURE, "The link works now."),
    (FRENCH_GMAIL, "Merci beaucoup !"),
    (GERMAN_OUTLOOK, "Danke!"),
    ("Inline answers:\n> Which size?\nLarge\n> Which colour?\nBlue", "Inline answers:\nLarge\nBlue"),
    ("Just this line.\r\n\r\n\r\n\r\nAnd this.", "Just this line.\n\nAnd this."),
])
def test_the_quoted_history_and_the_signature_are_cut_off(text, reply):
    assert strip_quoted(text) == reply


def test_a_reply_that_is_all_quote_keeps_its_text_and_ordinary_words_are_not_taken_for_history():
    assert strip_quoted("> only a quote") == "> only a quote"
    kept = "On Monday I was out.\nFrom: my side, all is well.\nThe sent items are empty."
    assert strip_quoted(kept) == kept


GMAIL_HTML = """\
<html><head><style>.x { color: red }</style></head><body>
<div dir="ltr">Thanks &amp; see you <b>soon</b>!<br>Ada</div><br>
<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Sun, 29 Nov 2026 at 10:02, Acme Support
&lt;<a href="mailto:support@acme.example">support@acme.example</a>&gt; wrote:<br></div>
<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex">Your parcel left today.</blockquote></div>
</body></html>"""

OUTLOOK_HTML = """\
<html><body><div class="WordSection1"><p class="MsoNormal">Cancel it, please.<o:p></o:p></p>
<p class="MsoNormal"><o:p>&nbsp;</o:p></p>
<div style="border:none;border-top:solid #E1E1E1 1.0pt"><p class="MsoNormal"><b>From:</b> Acme Support
&lt;support@acme.example&gt; <br><b>Sent:</b> Sunday, November 29, 2026 10:02 AM<br><b>To:</b> Bob<br>
<b>Subject:</b> Order 1234</p></div><p>Your order has shipped.</p></div></body></html>"""


@pytest.mark.parametrize(("html", "reply"), [
    (GMAIL_HTML, "Thanks & see you soon!\nAda"),
    (OUTLOOK_HTML, "Cancel it, please."),
    ("<p>One</p><script>alert(1)</script><p>Two</p>", "One\n\nTwo"),
])
def test_html_mail_is_read_as_its_text_then_cut_the_same_way(html, reply):
    assert strip_quoted(html_to_text(html)) == reply


def test_a_mail_s_headers_say_what_it_answers_who_sent_it_and_whether_it_is_automatic():
    mail = customer_mail(subject="Re:  Order   1234", body=GMAIL, sender='"Lovelace, Ada" <Ada@Example.com>',
                         to="Support <support+t-1a2b3c4d@acme.example>",
                         headers={"In-Reply-To": "<b@acme.example>", "References": "<a@acme.example> <b@acme.example>",
                                  "Cc": "other@example.com"},
                         files=[("photo.png", "image/png", b"\x89PNG")])
    parsed = parse_mail(bytes(mail))
    assert parsed.message_id == mail["Message-ID"] and parsed.answers == ["<b@acme.example>", "<a@acme.example>"]
    assert (parsed.from_name, parsed.from_email, parsed.subject) == ("Lovelace, Ada", "ada@example.com",
                                                                      "Re: Order 1234")
    assert parsed.recipients == ["support+t-1a2b3c4d@acme.example", "other@example.com"]
    assert parsed.body == "Yes, the new one works. Thank you!" and not parsed.automatic
    assert [(f.name, f.content_type, f.data) for f in parsed.files] == [("photo.png", "image/png", b"\x89PNG")]
    vacation = customer_mail(subject="Out of office", body="Back Monday", headers={"Auto-Submitted": "auto-replied"})
    assert parse_mail(bytes(vacation)).automatic
    no_id = b"From: a@example.com\r\nSubject: hi\x00there\r\n\r\nbo\x00dy\r\n"
    assert (parse_mail(no_id).subject, parse_mail(no_id).body) == ("hithere", "body")  # PostgreSQL takes no NULs
    assert parse_mail(no_id).message_id == parse_mail(no_id).message_id  # made from the bytes: stable


def test_a_ticket_s_reference_is_its_id_s_first_eight_hex_digits():
    import uuid
    assert ticket_ref(uuid.UUID("1a2b3c4d-0000-4000-8000-000000000000")) == "1A2B3C4D"


@pytest.mark.parametrize(("url", "expected"), [
    ("imaps://support%40acme.example:p%2Fss@imap.acme.example/INBOX",
     ("imap.acme.example", 993, "support@acme.example", "p/ss", "INBOX", "implicit")),
    ("imap://u:p@mail.example.com/Support/Replies", ("mail.example.com", 143, "u", "p", "Support/Replies", "starttls")),
    ("imap://u:p@127.0.0.1:1143?tls=off&timeout=2", ("127.0.0.1", 1143, "u", "p", "INBOX", "off")),
])
def test_the_imap_url_says_host_port_credentials_folder_and_tls(url, expected):
    server = ImapServer.parse(url)
    assert (server.host, server.port, server.username, server.password, server.folder, server.tls) == expected


@pytest.mark.parametrize(("url", "complaint"), [
    ("pop3://u:p@h", "imap:// or imaps://"), ("imap://u:p@/INBOX", "names no host"),
    ("imap://h/INBOX", "needs a user and password"), ("imap://u:p@h?idle=no", "unknown IMAP URL option"),
    ("imap://u:p@h?tls=maybe", "tls= takes on or off"), ("imap://u:p@h?timeout=0", "more than 0"),
])
def test_a_bad_imap_url_is_refused_at_start_up_in_plain_words(url, complaint):
    with pytest.raises(ValidationError, match=re.escape(complaint)):
        Settings(CHATDESK_IMAP_URL=url)
    settings = Settings(CHATDESK_IMAP_URL="imaps://u:hunter2@imap.example.com/INBOX")
    assert "hunter2" not in str(settings.shown()) and "hunter2" not in str(settings.imap)

"""Every mail chatdesk writes: subject, plain text and HTML, from one catalogue of strings.

The strings live in `STRINGS` under stable keys, with `{placeholders}`. Mails to customers are in
their language: the keys of `CUSTOMER_KEYS` are translated in `strings/<language>.json` (the
languages of desk/languages.py); mails to agents stay English. HTML is built by escaping each
string and each value put into it; styles are inline (mail clients drop `<style>` and remote
CSS) and no image is loaded from anywhere.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path

from chatdesk.desk.languages import DEFAULT_LANGUAGE, LANGUAGES, direction, served
from chatdesk.desk.widgets import text_color_on

STRINGS: dict[str, str] = {
    "test.subject": "Test message from chatdesk",
    "test.heading": "Email works",
    "test.body": "This is a test message from chatdesk at {site}. If you can read it, chatdesk can send email.",
    "offline_ack.subject": "We received your message",
    "offline_ack.heading": "Thank you, {name}",
    "offline_ack.body": "Nobody at {team} could chat when you wrote, so we kept your message and will answer "
                        "you by email at this address.",
    "offline_ack.quote": "Your message:",
    "ticket_reply.subject": "Re: {subject} [#{ref}]",
    "ticket_reply.heading": "{agent} replied",
    "ticket.link": "Read the whole conversation and reply on this page:",
    "ticket.button": "View and reply",
    "footer.automatic": "This message was sent automatically by {team}. You can reply to it.",
    "footer.ticket": "You get this email because you wrote to {team}. The link above works for you alone: "
                     "please do not share it.",
    "footer.account": "This message was sent automatically by chatdesk at {site}.",
    "reset.subject": "Choose a new chatdesk password",
    "reset.heading": "Choose a new password",
    "reset.body": "Someone, hopefully you, asked to choose a new password for the chatdesk account {email}. "
                  "The link below works once, for one hour.",
    "reset.button": "Choose a new password",
    "reset.ignore": "If you did not ask for this, ignore this message: your password stays as it is.",
    "invite.subject": "{inviter} invited you to chatdesk",
    "invite.heading": "Welcome to chatdesk, {name}",
    "invite.body": "{inviter} made you a chatdesk account ({email}) at {site} to answer customers. "
                   "Choose your password to sign in. The link works once, for seven days.",
    "invite.button": "Choose your password",
    "notify_new.subject": "New ticket: {subject}",
    "notify_new.heading": "A new ticket",
    "notify_new.body": "{requester} opened the ticket \u201c{subject}\u201d.",
    "notify_assigned.subject": "Assigned to you: {subject}",
    "notify_assigned.heading": "A ticket for you",
    "notify_assigned.body": "{actor} assigned you the ticket \u201c{subject}\u201d from {requester}.",
    "notify.button": "Open the ticket",
    "notify.why": "You get these emails because email notifications are on in your chatdesk preferences.",
    "transcript.subject": "Your chat with {team}",
    "transcript.heading": "Your chat with {team}",
    "transcript.intro": "Here is your conversation of {date}. Times are in {zone}.",
    "transcript.system": "chatdesk",
    "transcript.date": "%-d %B %Y",  # strftime: the chat's day
    "footer.transcript": "You asked for this copy of your chat with {team}.",
    "link.fallback": "If the button does not work, copy this address into your browser:",
}

# What customers read; the rest (password, invitation, notices, test) goes to agents and admins.
CUSTOMER_KEYS = frozenset(key for key in STRINGS if key.startswith(
    ("offline_ack.", "ticket_reply.", "ticket.", "transcript.", "link.", "footer.automatic", "footer.ticket",
     "footer.transcript")))
CATALOGUES: dict[str, dict[str, str]] = {DEFAULT_LANGUAGE: STRINGS} | {
    language: STRINGS | json.loads((Path(__file__).with_name("strings") / f"{language}.json").read_text("utf-8"))
    for language in LANGUAGES if language != DEFAULT_LANGUAGE}

DEFAULT_COLOR = "#2563eb"
_HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")
_FONT = "-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif"


@dataclass(frozen=True)
class MailContent:
    """A rendered mail: its subject and both bodies."""

    subject: str
    text: str
    html: str


def text(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """A string of `lang`'s catalogue with its placeholders filled, for the plain-text part or a subject."""
    return CATALOGUES[lang][key].format(**values)


def html_text(key: str, lang: str = DEFAULT_LANGUAGE, /, **values: object) -> str:
    """The same string as HTML: the string and every value escaped."""
    return escape(CATALOGUES[lang][key]).format(**{name: escape(str(value)) for name, value in values.items()})


def _quote(body: str) -> tuple[str, str]:
    """A customer's words quoted: `> ` lines in text, a bordered block keeping line breaks in HTML."""
    quoted_text = "\n".join(f"> {line}" if line else ">" for line in body.strip().splitlines())
    quoted_html = (f'<div style="margin:12px 0;padding:8px 12px;border-left:3px solid #d0d7de;color:#57606a;'
                   f'white-space:pre-wrap">{escape(body.strip())}</div>')
    return quoted_text, quoted_html


def _page(subject: str, heading: str, blocks: list[str], footer: str, color: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """The HTML frame every mail shares: a card with a band in the widget's colour, in `lang`'s direction."""
    color = color if _HEX_COLOR.fullmatch(color) else DEFAULT_COLOR
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(subject)}</title></head>"
        '<body style="margin:0;padding:0;background:#f4f5f7">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f5f7">'
        '<tr><td align="center" style="padding:24px 12px">'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" '
        'style="max-width:560px;background:#ffffff;border-radius:8px;overflow:hidden">'
        f'<tr><td style="background:{color};color:{text_color_on(color)};padding:16px 24px;font-family:{_FONT};'
        f'font-size:18px;font-weight:600">{heading}</td></tr>'
        f'<tr><td style="padding:20px 24px;font-family:{_FONT};font-size:15px;line-height:1.5;color:#1f2328">'
        + "".join(blocks) +
        "</td></tr></table>"
        f'<p style="max-width:560px;margin:12px auto 0;font-family:{_FONT};font-size:12px;color:#6b7280">{footer}</p>'
        "</td></tr></table></body></html>"
    )


def _paragraph(html: str) -> str:
    return f'<p style="margin:0 0 12px">{html}</p>'


def _link(link: str, color: str, lang: str) -> tuple[str, str]:
    """The signed link to the ticket's page: a line of text, and a button in the widget's colour."""
    button = _button(link, "ticket.button", color, lang)
    return f"{text('ticket.link', lang)}\n{link}", _paragraph(html_text("ticket.link", lang)) + button


def _button(url: str, label_key: str, color: str = DEFAULT_COLOR, lang: str = DEFAULT_LANGUAGE) -> str:
    """A link drawn as a button (a table cell: mail clients keep its background), the address below it."""
    color = color if _HEX_COLOR.fullmatch(color) else DEFAULT_COLOR
    return ('<table role="presentation" cellpadding="0" cellspacing="0" style="margin:16px 0"><tr>'
            f'<td style="background:{color};border-radius:6px"><a href="{escape(url)}" '
            f'style="display:inline-block;padding:10px 18px;color:{text_color_on(color)};text-decoration:none;'
            f'font-weight:600;font-family:{_FONT}">{html_text(label_key, lang)}</a></td></tr></table>'
            + _paragraph(f'<span style="font-size:13px;color:#57606a">{html_text("link.fallback", lang)}<br>'
                         f'<a href="{escape(url)}" style="color:{color};word-break:break-all">'
                         f'{escape(url)}</a></span>'))


def _link_mail(mail_subject: str, heading: str, paragraphs: list[str], button: str, url: str,
               **values: object) -> MailContent:
    """A mail to an agent whose point is one link: a heading, the first paragraph, the button, the
    other paragraphs (all catalogue keys). `values` fill the strings and name the `site`."""
    footer = text("footer.account", site=values["site"])
    plain = "\n\n".join([text(heading, **values), text(paragraphs[0], **values), f"{text(button)}:\n{url}",
                          *(text(p, **values) for p in paragraphs[1:]), "-- \n" + footer]) + "\n"
    blocks = [_paragraph(html_text(paragraphs[0], **values)), _button(url, button),
              *(_paragraph(html_text(p, **values)) for p in paragraphs[1:])]
    return MailContent(mail_subject, plain, _page(mail_subject, html_text(heading, **values), blocks,
                                             html_text("footer.account", site=values["site"]), DEFAULT_COLOR))


def password_reset(*, email: str, url: str, site: str) -> MailContent:
    """The link that lets an agent who forgot their password choose a new one."""
    return _link_mail(text("reset.subject"), "reset.heading", ["reset.body", "reset.ignore"], "reset.button", url,
                      email=email, site=site)


def invitation(*, name: str, email: str, inviter: str, url: str, site: str) -> MailContent:
    """An admin's invitation: the new agent chooses their password by the link."""
    return _link_mail(text("invite.subject", inviter=inviter), "invite.heading", ["invite.body"], "invite.button",
                      url, name=name, email=email, inviter=inviter, site=site)


def ticket_created_notice(*, subject: str, requester: str, url: str, site: str) -> MailContent:
    """To agents who asked for it: a ticket was opened in their department."""
    return _link_mail(text("notify_new.subject", subject=subject), "notify_new.heading",
                      ["notify_new.body", "notify.why"], "notify.button", url, subject=subject, requester=requester,
                      site=site)


def ticket_assigned_notice(*, subject: str, requester: str, actor: str, url: str, site: str) -> MailContent:
    """To an agent who asked for it: someone assigned them a ticket."""
    return _link_mail(text("notify_assigned.subject", subject=subject), "notify_assigned.heading",
                      ["notify_assigned.body", "notify.why"], "notify.button", url, subject=subject,
                      requester=requester, actor=actor, site=site)


@dataclass(frozen=True)
class TranscriptLine:
    """One message of a transcript: who (their public name; None: the system), when (already local), what."""

    who: str | None
    time: str
    body: str


def chat_transcript(*, team: str, day: date, zone: str, lines: list[TranscriptLine],
                    color: str = DEFAULT_COLOR, language: str | None = None) -> MailContent:
    """A chat as the visitor saw it (no internal notes): one entry per message, the times named by
    zone, in the visitor's `language`."""
    lang = served(language)
    subject = text("transcript.subject", lang, team=team)
    system = text("transcript.system", lang)
    when = day.strftime(text("transcript.date", lang))
    plain = "\n\n".join([text("transcript.intro", lang, date=when, zone=zone), *(
        f"[{line.time}] {line.who or system}:\n" + "\n".join(f"  {part}" for part in line.body.splitlines())
        for line in lines), "-- \n" + text("footer.transcript", lang, team=team)]) + "\n"
    entries = "".join(
        f'<tr><td style="padding:6px 12px 6px 0;vertical-align:top;color:#6b7280;font-size:13px;white-space:nowrap">'
        f'{escape(line.time)}</td><td style="padding:6px 0;vertical-align:top">'
        f'<div style="font-weight:600{"" if line.who else ";color:#6b7280"}">{escape(line.who or system)}</div>'
        f'<div style="white-space:pre-wrap">{escape(line.body)}</div></td></tr>' for line in lines)
    html = _page(subject, html_text("transcript.heading", lang, team=team), [
        _paragraph(html_text("transcript.intro", lang, date=when, zone=zone)),
        f'<table role="presentation" cellpadding="0" cellspacing="0" width="100%">{entries}</table>',
    ], html_text("footer.transcript", lang, team=team), color, lang)
    return MailContent(subject, plain, html)


def trial_message(site: str) -> MailContent:
    """What `chatdesk mail test` sends: proof that the SMTP settings work."""
    subject = text("test.subject")
    body = text("test.body", site=site)
    html = _page(subject, html_text("test.heading"), [_paragraph(html_text("test.body", site=site))],
                 html_text("footer.automatic", team="chatdesk"), DEFAULT_COLOR)
    plain = f"{text('test.heading')}\n\n{body}\n\n-- \n{text('footer.automatic', team='chatdesk')}\n"
    return MailContent(subject, plain, html)


def offline_acknowledgement(*, name: str, message: str, team: str, color: str = DEFAULT_COLOR,
                            link: str | None = None, ref: str | None = None, language: str | None = None
                            ) -> MailContent:
    """The answer to an offline message: we have it, and will answer by email (quoting it back);
    with the ticket's `link` and `ref` once it is a ticket; in the visitor's `language`."""
    lang = served(language)
    subject = text("offline_ack.subject", lang) + (f" [#{ref}]" if ref else "")
    quoted_text, quoted_html = _quote(message)
    link_text, link_html = _link(link, color, lang) if link else ("", "")
    plain = "\n\n".join(filter(None, [
        text("offline_ack.heading", lang, name=name), text("offline_ack.body", lang, team=team),
        text("offline_ack.quote", lang) + "\n" + quoted_text, link_text,
        "-- \n" + text("footer.automatic", lang, team=team),
    ])) + "\n"
    html = _page(subject, html_text("offline_ack.heading", lang, name=name), [
        _paragraph(html_text("offline_ack.body", lang, team=team)), _paragraph(html_text("offline_ack.quote", lang)),
        quoted_html, link_html,
    ], html_text("footer.automatic", lang, team=team), color, lang)
    return MailContent(subject, plain, html)


def ticket_reply(*, subject: str, ref: str, agent: str, body: str, team: str, link: str,
                 color: str = DEFAULT_COLOR, language: str | None = None) -> MailContent:
    """An agent's reply on a ticket, to its customer, with the link to the ticket's page, in the
    customer's `language`."""
    lang = served(language)
    mail_subject = text("ticket_reply.subject", lang, subject=subject, ref=ref)
    link_text, link_html = _link(link, color, lang)
    plain = "\n\n".join([body.strip(), link_text, "-- \n" + text("footer.ticket", lang, team=team)]) + "\n"
    html = _page(mail_subject, html_text("ticket_reply.heading", lang, agent=agent), [
        f'<div style="margin:0 0 12px;white-space:pre-wrap">{escape(body.strip())}</div>', link_html,
    ], html_text("footer.ticket", lang, team=team), color, lang)
    return MailContent(mail_subject, plain, html)

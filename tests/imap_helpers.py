"""A real IMAP server for the tests: Debian's Dovecot (`make test` installs dovecot-imapd), started
in the foreground with a configuration of the test's own: loopback on a free port, plain text
sign-in without TLS, one user from a passwd file, a Maildir in a temporary directory."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

from chatdesk.bench.server import free_port

DOVECOT = "/usr/sbin/dovecot"
USER, PASSWORD = "support", "imap-secret"
START_TIMEOUT_S = 15.0


def _mail_owner() -> pwd.struct_passwd:
    """Whom the mail belongs to: Dovecot refuses mail access as root, so root hands it to `nobody`."""
    return pwd.getpwnam("nobody") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())


class Dovecot:
    """One Dovecot process, its mailbox, and an IMAP client of the tests' own for APPEND."""

    def __init__(self, *, tls: bool = False) -> None:
        # Not under pytest's tmp_path: its 0700 parents would keep the mail owner (`nobody`) out.
        self.root = Path(tempfile.mkdtemp(prefix="chatdesk-dovecot-"))
        self.port = free_port()
        self.tls_port = free_port() if tls else 0
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"imap://{USER}:{PASSWORD}@127.0.0.1:{self.port}/INBOX?tls=off&timeout=5"

    @property
    def certificate(self) -> Path:
        """The server's self-signed certificate (for 127.0.0.1), for clients to trust."""
        return self.root / "cert.pem"

    def _tls_settings(self) -> str:
        """STARTTLS on the IMAP port and TLS from the first byte on `tls_port`, with a fresh certificate."""
        if not self.tls_port:
            return "ssl = no\n"
        key = self.root / "key.pem"
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                        "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key),
                        "-out", str(self.certificate)], check=True, capture_output=True)
        return f"ssl = yes\nssl_cert = <{self.certificate}\nssl_key = <{key}\n"

    def _configure(self) -> Path:
        owner = _mail_owner()
        self.root.chmod(0o755)
        for name in ("mail", "home"):
            (self.root / name).mkdir()
            os.chown(self.root / name, owner.pw_uid, owner.pw_gid)
        (self.root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
        internal = "" if os.geteuid() == 0 else (
            f"default_login_user = {owner.pw_name}\ndefault_internal_user = {owner.pw_name}\n"
            f"default_internal_group = {owner.pw_name}\n")
        config = self.root / "dovecot.conf"
        config.write_text(f"""\
base_dir = {self.root}/run
state_dir = {self.root}/state
log_path = {self.root}/dovecot.log
{internal}protocols = imap
listen = 127.0.0.1
{self._tls_settings()}disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = 1
mail_location = maildir:{self.root}/mail/%u
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
  }}
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.root}/passwd
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={self.root}/home/%u
}}
""")
        return config

    def start(self) -> Dovecot:
        if not Path(DOVECOT).exists():
            raise RuntimeError(f"{DOVECOT} is missing: `make test` installs dovecot-imapd")
        config = self._configure()
        self.process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL,
                                        stderr=open(self.root / "stderr.log", "wb"))  # noqa: SIM115
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with self.client():
                    return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"dovecot did not start: {self.log()}") from None
                time.sleep(0.05)  # polling interval while dovecot comes up

    def log(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in (self.root / "stderr.log",
                                                                        self.root / "dovecot.log") if path.exists())

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)

    def client(self) -> imaplib.IMAP4:
        client = imaplib.IMAP4("127.0.0.1", self.port, timeout=5)
        client.login(USER, PASSWORD)
        return client

    def append(self, message: EmailMessage | bytes) -> None:
        """Deliver a mail into INBOX (IMAP APPEND), unread."""
        raw = message if isinstance(message, bytes) else bytes(message)
        with self.client() as client:
            status, answer = client.append("INBOX", "", imaplib.Time2Internaldate(time.time()), raw)
            assert status == "OK", answer

    def unread(self) -> int:
        with self.client() as client:
            client.select("INBOX")
            _status, found = client.search(None, "UNSEEN")
            return len(found[0].split())


def customer_mail(*, subject: str, body: str | None, sender: str = "Ada Lovelace <ada@example.com>",
                  to: str = "support@example.com", headers: dict[str, str] | None = None,
                  html: str | None = None, files: list[tuple[str, str, bytes]] = ()) -> EmailMessage:
    """A mail as a customer's client writes it: text and/or HTML, files, and any headers given."""
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, to, subject
    message["Message-ID"] = make_msgid(domain="mail.example.com")
    message["Date"] = format_datetime(datetime.now(UTC))
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body)
    if html is not None:
        if body is None:
            message.set_content(html, subtype="html")
        else:
            message.add_alternative(html, subtype="html")
    for name, content_type, data in files:
        main, sub = content_type.split("/")
        message.add_attachment(data, maintype=main, subtype=sub, filename=name)
    return message

"""`chatdesk bench mail`: mails queued in one transaction, drained by a `chatdesk serve` process's
sender to an SMTP server on loopback (aiosmtpd, in this process), each Message-ID checked to arrive once.

The server finds mail committed by another process on its next look at the queue (every 2 s at
most), so the figure that matters is the drain: from the first mail accepted to the last.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

from chatdesk.bench.smtp_sink import SmtpSink
from chatdesk.config import Settings
from chatdesk.db.engine import create_engine
from chatdesk.desk.mail.queue import OutgoingMail, enqueue_mail
from chatdesk.desk.mail.templates import offline_acknowledgement
from chatdesk.desk.transactions import Tx

# A run that has not drained by then has failed (a server that sends nothing, a full disk).
DRAIN_TIMEOUT_S = 300
BENCH_FROM = "Bench <bench@example.com>"


@dataclass
class MailRun:
    enqueue_s: float  # one transaction queueing every mail
    commit_to_last_s: float  # commit -> the last mail accepted (includes the server's next look at the queue)
    drain_s: float  # the first mail accepted -> the last
    mails_per_s: float


@dataclass
class MailResult:
    mails: int
    runs: list[MailRun] = field(default_factory=list)
    missing: int = 0  # Message-IDs never received
    duplicates: int = 0  # Message-IDs received more than once

    @property
    def median_drain_s(self) -> float:
        return statistics.median(run.drain_s for run in self.runs)

    @property
    def median_mails_per_s(self) -> float:
        return statistics.median(run.mails_per_s for run in self.runs)


def _mail(index: int) -> OutgoingMail:
    content = offline_acknowledgement(name=f"Customer {index}", message=f"Bench message {index}.\nSecond line.",
                                      team="chatdesk bench")
    return OutgoingMail(to=f"customer{index}@example.com", content=content, kind="bench")


async def run_mail(settings: Settings, sink: SmtpSink, *, mails: int, runs: int) -> MailResult:
    """`runs` rounds of: queue `mails` mails in one transaction, wait until the sink has every one."""
    result = MailResult(mails)
    engine = create_engine(settings.required("database_url"), pool_size=1)
    try:
        for _ in range(runs):
            already = sink.count()
            started = time.perf_counter()
            async with engine.begin() as conn:
                tx = Tx(conn)
                message_ids = [await enqueue_mail(tx, settings, _mail(index)) for index in range(mails)]
            committed = time.perf_counter()
            while sink.count() < already + mails:
                if time.perf_counter() - committed > DRAIN_TIMEOUT_S:
                    raise RuntimeError(f"only {sink.count() - already} of {mails} mails arrived in {DRAIN_TIMEOUT_S} s")
                await asyncio.sleep(0.01)  # polling the sink's count: it fills from another thread
            arrivals = sink.arrived_at[already:]
            drain_s = arrivals[-1] - arrivals[0]
            result.runs.append(MailRun(enqueue_s=committed - started, commit_to_last_s=arrivals[-1] - committed,
                                       drain_s=drain_s, mails_per_s=(mails - 1) / drain_s if drain_s else 0.0))
            received = Counter(sink.message_ids())
            result.missing += sum(1 for message_id in message_ids if received[message_id] == 0)
            result.duplicates += sum(1 for message_id in message_ids if received[message_id] > 1)
    finally:
        await engine.dispose()
    return result

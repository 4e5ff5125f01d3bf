"""The load test report as a self-contained HTML page (the JSON is the report dict itself)."""

from __future__ import annotations

from html import escape

_STYLE = """body{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;color:#1f2933;padding:0 1rem}
table{border-collapse:collapse;width:100%;margin:1rem 0}th,td{text-align:left;padding:.5rem .75rem;
border-bottom:1px solid #d9e2ec;vertical-align:top}th{background:#f0f4f8}.ok{color:#0f7b4a;font-weight:600}
.miss{color:#b42318;font-weight:600}td:nth-child(2){white-space:nowrap}h1{font-size:1.5rem}
code{background:#f0f4f8;padding:0 .25rem}"""


def _table(headers: list[str], rows: list[list[str]]) -> str:
    head = "".join(f"<th scope=col>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(report: dict) -> str:
    plan = report["plan"]
    verdict = '<span class="ok">all targets met</span>' if report["ok"] else '<span class="miss">targets missed</span>'
    targets = _table(["Target", "Goal", "Measured", "Verdict"], [
        [escape(row["target"]), escape(row["goal"]), escape(row["measured"]),
         '<span class="ok">met</span>' if row["ok"] else '<span class="miss">MISSED</span>']
        for row in report["targets"]])
    figures = _table(["Measure", "n", "p50 ms", "p95 ms", "p99 ms", "max ms"], [
        [escape(name), str(f["n"]), *(f"{f[k]:.1f}" for k in ("p50", "p95", "p99", "max"))]
        for name, f in report["figures_ms"].items()])
    counts = ", ".join(f"{escape(k)} {v}" for k, v in sorted(report["counts"].items()))
    errors = _table(["Request", "Error", "Count"], [
        [escape(error["request"]), escape(error["error"]), str(error["count"])] for error in report["errors"]
    ]) if report["errors"] else "<p>No request failed.</p>"
    return (f"<!doctype html><html lang=en><meta charset=utf-8><title>chatdesk load test</title>"
            f"<style>{_STYLE}</style><h1>chatdesk load test: {verdict}</h1>"
            f"<p>{plan['users']} users ({plan['agents']} agents with {plan['agent_capacity']} chats each), "
            f"spawn rate {plan['spawn_rate']:g}/s, {plan['duration_s']:g} s "
            f"against <code>{escape(report['url'])}</code>"
            f"</p>{targets}<h2>Figures</h2>{figures}<p>{counts}</p><h2>Failed requests</h2>{errors}</html>\n")

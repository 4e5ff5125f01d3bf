"""Reports for supervisors and admins: every figure of a period as JSON, each table as CSV."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import BaseModel, Field
from starlette.responses import Response
from starlette.routing import Route

from chatdesk.desk.reports import (
    COMMENTS_SHOWN,
    PARTS,
    TABLE_PARTS,
    TABLES,
    Scope,
    build_report,
    on_engine,
    period,
    table_csv,
)
from chatdesk.errors import not_found
from chatdesk.web.api.endpoint import Access, Call, endpoint, json_response


class ReportQuery(BaseModel):
    from_: str = Field(alias="from", description="First day, YYYY-MM-DD, in `tz`.")
    to: str = Field(description="Last day (included), YYYY-MM-DD.")
    tz: str = Field("UTC", description="IANA time zone the days are counted in.")
    department_id: uuid.UUID | None = None
    agent_id: uuid.UUID | None = None


class ReportOut(BaseModel):
    period: dict[str, Any]
    previous_period: dict[str, Any]
    department_id: uuid.UUID | None
    agent_id: uuid.UUID | None
    summary: dict[str, Any]
    departments: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    daily: list[dict[str, Any]]
    busiest_hours: list[list[int]]
    comments: list[dict[str, Any]]
    triggers: list[dict[str, Any]]  # proactive greetings: visitors greeted and chats that followed
    previous: dict[str, Any]


async def _report(call: Call, parts: tuple[str, ...], comments_limit: int | None) -> dict[str, Any]:
    query: ReportQuery = call.query
    return await build_report(on_engine(call.runtime.engine), period(query.from_, query.to, query.tz),
                              Scope(query.department_id, query.agent_id), parts=parts, comments_limit=comments_limit)


@endpoint("Every figure of a period and of the one before it", access=Access.SUPERVISOR, query=ReportQuery,
          response=ReportOut, tags=("reports",))
async def reports_show(call: Call) -> Response:
    return json_response(await _report(call, PARTS, COMMENTS_SHOWN))


@endpoint("One table of a report as CSV (summary, departments, agents, daily, hours, comments, triggers)",
          access=Access.SUPERVISOR, query=ReportQuery, tags=("reports",))
async def reports_csv(call: Call) -> Response:
    table = call.request.path_params["table"]
    if table not in TABLES:
        raise not_found("report table")
    query: ReportQuery = call.query
    report = await _report(call, TABLE_PARTS[table], None)
    name = f"chatdesk-{table}-{query.from_}-{query.to}.csv"
    return Response(table_csv(report, table), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


routes = [
    Route("/api/v1/reports", reports_show, methods=["GET"]),
    Route("/api/v1/reports/{table}.csv", reports_csv, methods=["GET"]),
]

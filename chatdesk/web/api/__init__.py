"""HTTP API: one module per resource, each exporting its `routes`."""

from chatdesk.web.api import (
    agents,
    attachments,
    auth,
    chats,
    departments,
    events,
    ops,
    quick_responses,
    tickets,
    visitors,
    widgets,
)

routes = [*ops.routes, *auth.routes, *agents.routes, *departments.routes, *quick_responses.routes, *widgets.routes,
          *chats.routes, *tickets.routes, *visitors.routes, *attachments.routes, *events.routes]

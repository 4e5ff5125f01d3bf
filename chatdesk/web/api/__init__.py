"""HTTP API: one module per resource, each exporting its `routes`."""

from chatdesk.web.api import (
    agents,
    api_keys,
    attachments,
    auth,
    chats,
    departments,
    events,
    history,
    mail,
    ops,
    privacy,
    quick_responses,
    reports,
    supervision,
    ticket_page,
    tickets,
    triggers,
    visitors,
    webhooks,
    widgets,
)

routes = [*ops.routes, *auth.routes, *agents.routes, *departments.routes, *quick_responses.routes, *widgets.routes,
          *history.routes, *chats.routes, *supervision.routes, *tickets.routes, *ticket_page.routes, *visitors.routes,
          *attachments.routes, *events.routes, *mail.routes, *reports.routes,
          *webhooks.routes, *api_keys.routes, *privacy.routes, *triggers.routes]

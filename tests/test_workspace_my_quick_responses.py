"""Personal quick responses in a real browser: managed in Preferences, offered by the `/` palette at once."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.workspace_helpers import Visitor, agent_api, department, sign_in


def test_agent_adds_edits_uses_and_deletes_a_personal_quick_response(page: Page, live_server, database_url, make_agent):
    ada = make_agent(name="Ada Lovelace")
    support = department(database_url, [ada], mode="broadcast")
    visitor = Visitor(live_server, database_url, "Alan Turing", email="alan@example.com")
    with agent_api(live_server, ada) as http:
        visitor.start(support, "Hi!")
        assert http.post(f"/api/v1/chats/{visitor.chat_id}/accept").status_code == 200
    sign_in(page, live_server, ada)
    page.locator(".chat-link", has_text="Alan Turing").click()
    composer = page.get_by_role("textbox", name="Message")
    composer.fill("/thx")  # the palette has loaded (and holds nothing for it) before the response exists
    expect(page.get_by_role("listbox", name="Quick responses")).to_contain_text("No quick response matches")
    composer.fill("")

    page.get_by_role("button", name="Preferences").click()
    prefs = page.get_by_role("dialog", name="Preferences")
    expect(prefs.get_by_role("region", name="My quick responses")).to_contain_text("Only you see these")
    prefs.get_by_role("button", name="New quick response").click()
    editor = page.get_by_role("dialog", name="New quick response")
    editor.get_by_label("Shortcut").fill("Thanks!")
    editor.get_by_label("Title").fill("Thank you")
    editor.get_by_label("Text").fill("Thanks ")
    editor.get_by_role("button", name="{{visitor.name}}").click()
    editor.get_by_role("button", name="Create").click()
    # the API's 422
    expect(editor.locator("[data-error-for=shortcut]")).to_contain_text("Use 1 to 32 lower-case letters")
    editor.get_by_label("Shortcut").fill("thx")
    editor.get_by_role("button", name="Create").click()
    expect(editor).to_be_hidden()
    expect(prefs.get_by_role("listitem")).to_contain_text("/thx")
    expect(prefs.get_by_role("listitem")).to_contain_text("Thanks {{visitor.name}}")

    prefs.get_by_role("button", name="Edit /thx").click()
    editor = page.get_by_role("dialog", name="Edit /thx")
    editor.get_by_label("Text").press("End")
    editor.get_by_label("Text").press_sequentially(", from ")
    editor.get_by_role("button", name="{{agent.name}}").click()
    editor.get_by_role("button", name="Save").click()
    expect(prefs.get_by_role("listitem")).to_contain_text("Thanks {{visitor.name}}, from {{agent.name}}")
    prefs.get_by_role("button", name="Cancel").click()

    # The palette offers it right away, placeholders filled.
    composer.fill("/thx")
    palette = page.get_by_role("listbox", name="Quick responses")
    expect(palette.get_by_role("option").first).to_contain_text("/thx Thank you")
    composer.press("Enter")
    expect(composer).to_have_value("Thanks Alan Turing, from Ada Lovelace")
    composer.fill("")

    page.get_by_role("button", name="Preferences").click()
    prefs.get_by_role("button", name="Delete /thx").click()
    page.get_by_role("alertdialog", name="Delete /thx?").get_by_role("button", name="Delete").click()
    expect(prefs.get_by_role("region", name="My quick responses")).to_contain_text("Only you see these")
    with agent_api(live_server, ada) as http:
        assert not any(r["shortcut"] == "thx" for r in http.get("/api/v1/quick-responses").json()["quick_responses"])

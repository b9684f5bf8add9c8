"""The offline form's fixtures, shared with the bridges' tests: a channel's working
hours, a fixed clock, and a visitor who leaves a message in a real browser."""

import contextlib
import json
from datetime import datetime
from unittest.mock import patch

from odoo import Command

from .visitor_browser import ForeignSite, VisitorBrowser

# Monday 7 December 2026 (Kyiv is UTC+2 in winter): naive UTC, as the clock gives.
INSIDE = datetime(2026, 12, 7, 8, 0)  # 10:00 in Kyiv
EARLY = datetime(2026, 12, 7, 5, 0)  # 07:00 in Kyiv, before opening
OUTSIDE = datetime(2026, 12, 7, 18, 0)  # 20:00 in Kyiv, after closing
HOLIDAY = datetime(2026, 12, 25, 8, 0)  # Friday 25 December, 10:00 in Kyiv: a holiday

# The visitor opens the chat button and sees the form (and when the team is back).
OPEN_FORM = """
const root = await waitFor(widgetRoot, "the chat widget", 20000);
root.querySelector(".btn").click();
const form = await waitFor(() => root.querySelector(".win:not([hidden]) form.offline"), "the form");
return {
    reason: form.dataset.reason,
    back: form.querySelector(".offline-back")?.textContent || null,
    title: root.querySelector(".title").textContent,
    composer: Boolean(root.querySelector(".foot:not([hidden])")),
};
"""

# Fills the form in (a wrong email first), sends it, returns the confirmation.
LEAVE_MESSAGE = """
const root = widgetRoot();
const form = root.querySelector("form.offline");
const set = (selector, value) => { form.querySelector(selector).value = value; };
set(".offline-name", %(name)s);
set(".offline-email", "not an email");
set(".offline-message", %(message)s);
form.requestSubmit();
const error = await waitFor(() => form.querySelector(".offline-error:not([hidden])"), "the error");
const refused = error.textContent;
set(".offline-email", %(email)s);
form.requestSubmit();
const done = await waitFor(() => root.querySelector(".offline-done"), "the confirmation", 30000);
return {refused, confirmation: done.textContent};
"""


def set_clock(test_case, now):
    """Fix the channels' clock at ``now`` (naive UTC) for the rest of the test: the
    server's workers of an HttpCase run in the test's process."""
    patcher = patch.object(
        type(test_case.env["live_chat.channel"]), "_live_chat_now", lambda self: now
    )
    patcher.start()
    test_case.addCleanup(patcher.stop)


def create_office_hours(env, holiday=True):
    """Monday to Friday, 09:00 to 18:00 in Kyiv; Christmas 2026 a public holiday."""
    calendar = env["resource.calendar"].create(
        {
            "name": "Kyiv office",
            "tz": "Europe/Kyiv",
            "attendance_ids": [
                Command.create(
                    {
                        "name": f"Day {day}",
                        "dayofweek": str(day),
                        "hour_from": 9,
                        "hour_to": 18,
                        "day_period": "full_day",
                    }
                )
                for day in range(5)
            ],
        }
    )
    if holiday:
        env["resource.calendar.leaves"].create(
            {
                "name": "Christmas",
                "calendar_id": calendar.id,
                "date_from": datetime(2026, 12, 24, 22, 0),
                "date_to": datetime(2026, 12, 25, 21, 59),
            }
        )
    return calendar


class OfflineVisitor:
    """A visitor on another website, whose channel offers the offline form."""

    def __init__(self, test_case, channel):
        self.test_case = test_case
        self.channel = channel
        self.browser = VisitorBrowser(test_case)
        test_case.addCleanup(self.browser.stop)

    @contextlib.contextmanager
    def on_site(self):
        test_case = self.test_case
        snippet = self.channel.script_snippet.replace(
            self.channel.get_base_url(), test_case.base_url()
        )
        with (
            ForeignSite(snippet) as site,
            test_case.allow_requests(browser=self.browser.browser, all_requests=True),
        ):
            yield site

    def open_form(self, site, path="/contact"):
        self.test_case.env.flush_all()
        self.browser.open(site.url + path)
        return self.browser.run(OPEN_FORM)

    def leave_message(self, name, email, message):
        result = self.browser.run(
            LEAVE_MESSAGE
            % {
                "name": json.dumps(name),
                "email": json.dumps(email),
                "message": json.dumps(message),
            }
        )
        self.test_case.env.invalidate_all()
        return result

from odoo.tests import HttpCase, tagged

from .common import LiveChatOperatorCommon
from .offline import HOLIDAY, INSIDE, OUTSIDE, OfflineVisitor, create_office_hours, set_clock

# The visitor of a channel open now sees the chat: the button opens the composer.
OPENS_THE_CHAT = """
const root = await waitFor(widgetRoot, "the chat widget", 20000);
root.querySelector(".btn").click();
await waitFor(
    () => root.querySelector(".win:not([hidden]) .foot:not([hidden]) .input"), "the composer"
);
return Boolean(root.querySelector("form.offline"));
"""


@tagged("post_install", "-at_install")
class TestUiOfflineForm(LiveChatOperatorCommon, HttpCase):
    """In a real browser on another website: nobody online, the channel offers its
    offline form; a message left becomes an email, the visitor sees and gets the
    confirmation."""

    operator_online = False
    channel_values = {
        "name": "Shop help",
        "offline_mode": "form",
        "offline_email": "help@example.com",
        "offline_reply_time": "within 4 hours",
    }

    def test_leave_a_message_by_email(self):
        visitor = OfflineVisitor(self, self.channel)
        with visitor.on_site() as site:
            form = visitor.open_form(site)
            self.assertEqual(
                form,
                {
                    "reason": "offline",
                    "back": None,
                    "title": "Leave us a message",
                    "composer": False,
                },
            )
            result = visitor.leave_message(
                "Vira <b>Visitor</b>", "vira@example.com", "Do you ship?"
            )
        self.assertEqual(result["refused"], "Please enter a valid email address.")
        self.assertEqual(
            result["confirmation"], "Thank you! We have your message and will reply within 4 hours."
        )
        mails = self.env["mail.mail"].search([("subject", "like", "Shop help")])
        self.assertEqual(
            sorted(mails.mapped("email_to")),
            ['"Vira <b>Visitor</b>" <vira@example.com>', "help@example.com"],
        )
        self.assertIn("Vira &lt;b&gt;Visitor&lt;/b&gt;", mails[0].body_html)
        self.assertFalse(
            self.env["discuss.channel"].search([("live_chat_channel_id", "=", self.channel.id)])
        )

    def test_hidden_button(self):
        """The channel's other choice, today's behaviour: no button at all."""
        self.channel.offline_mode = "hide"
        visitor = OfflineVisitor(self, self.channel)
        with visitor.on_site() as site:
            self.env.flush_all()
            visitor.browser.open(site.url + "/")
            present = visitor.browser.run(
                "await waitFor(() => performance.getEntriesByType('resource').some("
                "(e) => e.name.includes('/live_chat/init/') && e.responseEnd > 0), 'init');"
                "await new Promise((r) => setTimeout(r, 500));"
                "return Boolean(widgetRoot());"
            )
        self.assertFalse(present)


@tagged("post_install", "-at_install")
class TestUiBusinessHours(LiveChatOperatorCommon, HttpCase):
    """Working hours with a fixed clock, in a browser whose time zone is Paris: open
    inside them, the form with when the team is back outside and on a holiday."""

    channel_values = {"name": "Kyiv desk", "offline_mode": "form"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.channel.resource_calendar_id = create_office_hours(cls.env)

    def _visitor(self):
        visitor = OfflineVisitor(self, self.channel)
        visitor.browser.timezone("Europe/Paris")
        return visitor

    def test_inside(self):
        set_clock(self, INSIDE)
        visitor = self._visitor()
        with visitor.on_site() as site:
            self.env.flush_all()
            visitor.browser.open(site.url + "/")
            self.assertIs(visitor.browser.run(OPENS_THE_CHAT), False)

    def test_outside(self):
        set_clock(self, OUTSIDE)
        visitor = self._visitor()
        with visitor.on_site() as site:
            form = visitor.open_form(site)
        self.assertEqual(form["back"], "We reply from Tuesday 8 December 08:00, Paris time")

    def test_holiday(self):
        set_clock(self, HOLIDAY)
        visitor = self._visitor()
        with visitor.on_site() as site:
            form = visitor.open_form(site)
        self.assertEqual(form["back"], "We reply from Monday 28 December 08:00, Paris time")

import re
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import ValidationError


class LiveChatChannelRule(models.Model):
    _name = "live_chat.channel.rule"
    _description = "Live Chat Channel Rule"
    _order = "sequence, id"

    sequence = fields.Integer(default=10, help="Rules are tried in this order.")
    channel_id = fields.Many2one("live_chat.channel", required=True, ondelete="cascade", index=True)
    action = fields.Selection(
        [
            ("show", "Show"),
            ("show_notification", "Show with notification"),
            ("auto_open", "Open automatically"),
            ("hide", "Hide"),
        ],
        string="Live Chat Button",
        required=True,
        default="show",
        help="Show: the chat button shows on the page.\n"
        "Show with notification: the button and the notification text in a bubble.\n"
        "Open automatically: the button, and the chat window opens by itself "
        "after the timer.\n"
        "Hide: no chat button on the page.",
    )
    auto_open_timer = fields.Integer(
        "Open automatically timer",
        default=10,
        help="Seconds before the chat window opens by itself.",
    )
    url_pattern = fields.Char(
        "URL Regex",
        help="A regular expression searched in the page's URL, e.g. /shop or "
        "^https://example\\.com/contact. Empty: every page.",
    )
    country_ids = fields.Many2many(
        "res.country",
        help="The rule applies only to visitors from these countries (found by GeoIP). "
        "Empty: every country.",
    )

    _auto_open_timer_positive = models.Constraint(
        "CHECK(auto_open_timer >= 0)",
        "The automatic opening timer cannot be negative.",
    )

    @api.constrains("url_pattern")
    def _check_url_pattern(self):
        for rule in self.filtered("url_pattern"):
            try:
                re.compile(rule.url_pattern)
            except re.error as error:
                raise ValidationError(
                    self.env._(
                        "“%(pattern)s” is not a valid regular expression: %(error)s",
                        pattern=rule.url_pattern,
                        error=str(error),
                    )
                ) from error

    @api.constrains("auto_open_timer")
    def _check_auto_open_timer(self):
        # Same rule as the SQL constraint, checked first for a readable message.
        if any(rule.auto_open_timer < 0 for rule in self):
            raise ValidationError(self.env._("The automatic opening timer cannot be negative."))

    # ------------------------------------------------------------
    # Business methods
    # ------------------------------------------------------------

    def _match(self, url, country=None):
        """The first of these rules that applies to a page view, or an empty recordset.

        A rule applies when its URL regex is found in the page's URL (the whole URL,
        or its path and query: "/shop" and "^/shop" both work) and, if it lists
        countries, the visitor's country is one of them. Rules listing countries are
        more specific: they are tried first; then each group in sequence order.
        """
        url = url or ""
        parts = urlsplit(url)
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        ordered = self.sorted(lambda rule: (not rule.country_ids, rule.sequence, rule.id))
        for rule in ordered:
            if rule.country_ids and (not country or country not in rule.country_ids):
                continue
            pattern = rule.url_pattern
            if not pattern or re.search(pattern, url) or re.search(pattern, path):
                return rule
        return self.browse()

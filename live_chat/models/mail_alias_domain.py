"""The message path keeps the company's mail settings of a message (reply-to, alias
domain) a minute per worker (discuss_channel_post.py), and until the registry's caches
are cleared in any worker: what changes those settings clears them."""

from odoo import api, models

# What a company's mail settings of a new message depend on.
COMPANY_MAIL_FIELDS = {"alias_domain_id", "name", "email"}


class MailAliasDomain(models.Model):
    _inherit = "mail.alias.domain"

    @api.model_create_multi
    def create(self, vals_list):
        domains = super().create(vals_list)
        self.env.registry.clear_cache()
        return domains

    def write(self, vals):
        result = super().write(vals)
        self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result


class ResCompany(models.Model):
    _inherit = "res.company"

    def write(self, vals):
        result = super().write(vals)
        if COMPANY_MAIL_FIELDS & vals.keys():
            self.env.registry.clear_cache()
        return result

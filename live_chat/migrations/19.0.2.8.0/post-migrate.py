"""The visitors' ratings of before: their parent is now their session's live chat
channel, which the ratings' access rules know them by (employees without Live Chat
rights no longer read them, nobody writes them but the suite)."""

from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE rating_rating r
           SET parent_res_model_id = m.id,
               parent_res_model = 'live_chat.channel',
               parent_res_id = s.live_chat_channel_id
          FROM discuss_channel s, ir_model m
         WHERE m.model = 'live_chat.channel'
           AND r.res_model = 'discuss.channel' AND r.res_id = s.id
           AND s.channel_type = 'live_chat' AND s.live_chat_channel_id IS NOT NULL
        RETURNING r.id
        """
    )
    rating_ids = [row[0] for row in cr.fetchall()]
    if rating_ids:
        env = api.Environment(cr, SUPERUSER_ID, {})
        ratings = env["rating.rating"].browse(rating_ids)
        # The parent's name, stored, as the host computes it.
        env.add_to_compute(ratings._fields["parent_res_name"], ratings)
        ratings.flush_recordset()

"""Sessions become conversations of the suite's own type, and closed ones leave
their members' chat lists."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE discuss_channel SET channel_type = 'live_chat'
         WHERE live_chat_state IS NOT NULL AND channel_type = 'group'
        """
    )
    cr.execute(
        """
        UPDATE discuss_channel_member m SET unpin_dt = now() at time zone 'UTC'
          FROM discuss_channel c
         WHERE c.id = m.channel_id AND c.channel_type = 'live_chat'
           AND c.live_chat_state = 'closed' AND m.unpin_dt IS NULL
        """
    )

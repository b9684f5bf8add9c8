"""The sessions' duration becomes a stored field: filled here in SQL, so that the
update does not compute it record by record."""


def migrate(cr, version):
    if not version:
        return
    cr.execute("ALTER TABLE discuss_channel ADD COLUMN IF NOT EXISTS live_chat_duration numeric")
    cr.execute(
        """
        UPDATE discuss_channel
           SET live_chat_duration = CASE
                   WHEN live_chat_start_dt IS NOT NULL AND live_chat_end_dt IS NOT NULL
                   THEN round((EXTRACT(EPOCH FROM live_chat_end_dt - live_chat_start_dt) / 60)
                              ::numeric, 1)
                   ELSE 0 END
        """
    )

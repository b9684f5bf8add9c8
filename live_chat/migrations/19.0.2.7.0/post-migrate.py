"""The start keys of the sessions anonymised before: anonymising a session now clears
its key, which is as much the visitor's right to it as its token (the same start sent
again answers the session)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        UPDATE discuss_channel
           SET live_chat_start_key = NULL
         WHERE live_chat_anonymized_dt IS NOT NULL AND live_chat_start_key IS NOT NULL
        """
    )

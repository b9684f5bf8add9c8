"""What the reports count, for the sessions of before: the operators' first answer
(their first message after the visitor's first one), the messages of each side of the
ended sessions, and whether a session was missed (answered late, or not answered in
time)."""


def migrate(cr, version):
    if not version:
        return
    cr.execute(
        """
        WITH messages AS (
            SELECT s.id AS session_id, m.id, m.date,
                   COALESCE(CASE WHEN s.live_chat_visitor_partner_id IS NOT NULL
                                 THEN m.author_id = s.live_chat_visitor_partner_id
                                 ELSE m.author_guest_id = s.live_chat_visitor_guest_id END,
                            FALSE) AS by_visitor,
                   m.author_id IS NOT NULL AS by_partner
              FROM discuss_channel s
              JOIN mail_message m ON m.model = 'discuss.channel' AND m.res_id = s.id
             WHERE s.channel_type = 'live_chat' AND m.message_type = 'comment'
        ),
        firsts AS (
            SELECT session_id, min(id) AS first_visitor_id
              FROM messages WHERE by_visitor GROUP BY session_id
        ),
        figures AS (
            SELECT m.session_id,
                   count(*) FILTER (WHERE m.by_visitor) AS visitor_count,
                   count(*) FILTER (WHERE NOT m.by_visitor AND m.id > f.first_visitor_id)
                       AS operator_count,
                   min(m.date) FILTER (WHERE NOT m.by_visitor AND m.by_partner
                                         AND m.id > f.first_visitor_id) AS first_answer
              FROM messages m
              LEFT JOIN firsts f ON f.session_id = m.session_id
             GROUP BY m.session_id
        )
        UPDATE discuss_channel s
           SET live_chat_first_answer_dt = figures.first_answer,
               live_chat_visitor_message_count = CASE WHEN s.live_chat_state = 'closed'
                                                      THEN figures.visitor_count ELSE 0 END,
               live_chat_operator_message_count = CASE WHEN s.live_chat_state = 'closed'
                                                       THEN figures.operator_count ELSE 0 END
          FROM figures
         WHERE s.id = figures.session_id
        """
    )
    cr.execute(
        """
        UPDATE discuss_channel s
           SET live_chat_missed = COALESCE(
                   CASE WHEN s.live_chat_first_answer_dt IS NOT NULL
                        THEN s.live_chat_first_answer_dt > s.live_chat_start_dt + deadline.wait
                        ELSE s.live_chat_state = 'closed'
                             OR s.live_chat_start_dt + deadline.wait
                                < now() AT TIME ZONE 'UTC' END,
                   FALSE)
          FROM discuss_channel s2
          CROSS JOIN LATERAL (
                SELECT make_interval(mins => COALESCE(
                           (SELECT c.missed_after FROM live_chat_channel c
                             WHERE c.id = s2.live_chat_channel_id), 2)) AS wait
          ) deadline
         WHERE s.id = s2.id AND s.channel_type = 'live_chat'
        """
    )

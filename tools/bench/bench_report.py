#!/usr/bin/env python3
"""Benchmark of the live chat report: a script, not a test.

Run it through ``tools/bench.sh report``, which prepares its database (the suite and
its Helpdesk bridge installed, ``live_chat_bench_report`` by default) and passes the
options below. This script, in-process (Odoo as a library, no server):

1. fills the database with --sessions sessions (100,000 by default) spread over the
   last --days days, in plain SQL: a few channels and operators, visitors of several
   countries and languages, answered or missed, rated or not, some made tickets. The
   sessions of an earlier run are replaced, so that every run reads the same amount;
2. times the report's main groupings as the web client asks for them
   (``formatted_read_group``, what the pivot and graph views call; the list's
   ``web_search_read``; the channels' dashboard figures), as the administrator and as
   an operator (record rules applied): the median and the slowest of --runs runs after
   one warm-up run, with the rows read, against a budget of --budget-ms.

The report's rows come from values stored on each session: it reads no message.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

BENCH_CHANNEL_PREFIX = "Report Benchmark"
BENCH_OPERATOR_PREFIX = "bench_report_op_"
COUNTRIES = ("BE", "FR", "DE", "US", "UA", "GB", "ES", "IT", "NL", "PL")
LANGS = ("en_US", "fr_FR", "de_DE", "uk_UA", "es_ES", "nl_NL")


def log(message):
    sys.stderr.write(f"[bench] {message}\n")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--odoo-src", required=True, help="Odoo 19.0 source tree")
    parser.add_argument("--addons-path", required=True)
    parser.add_argument("--db", required=True)
    parser.add_argument("--db-host", default="127.0.0.1")
    parser.add_argument("--db-port", default="5432")
    parser.add_argument("--db-user", default="odoo")
    parser.add_argument("--db-password", default="odoo")
    parser.add_argument("--sessions", type=int, default=100_000, help="sessions to fill")
    parser.add_argument("--days", type=int, default=90, help="spread over the last N days")
    parser.add_argument("--channels", type=int, default=4)
    parser.add_argument("--operators", type=int, default=12)
    parser.add_argument(
        "--refill",
        action="store_true",
        help="fill the sessions again even when the database holds as many already",
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each grouping")
    parser.add_argument("--budget-ms", type=float, default=500.0, help="per read")
    parser.add_argument("--out-dir", default=".bench", help="the report is kept there")
    args = parser.parse_args()
    if args.sessions < 1 or args.runs < 1 or args.days < 1:
        parser.error("--sessions, --runs and --days must be 1 or more")
    return args


def open_env(args):
    """An environment on the benchmark database, as the superuser."""
    sys.path.insert(0, args.odoo_src)
    import odoo  # noqa: PLC0415 - only once the source tree is on the path
    from odoo.modules.registry import Registry  # noqa: PLC0415
    from odoo.tools import config  # noqa: PLC0415

    config.parse_config(
        [
            f"--addons-path={args.addons_path}",
            f"--database={args.db}",
            f"--db_host={args.db_host}",
            f"--db_port={args.db_port}",
            f"--db_user={args.db_user}",
            f"--db_password={args.db_password}",
            "--log-level=warn",
            "--no-http",
        ],
        setup_logging=True,
    )
    registry = Registry(args.db)
    return odoo, registry


def prepare(env, args):
    """Channels and operators of the benchmark (idempotent), then its sessions in SQL."""
    from odoo import Command  # noqa: PLC0415

    group = env.ref("live_chat.live_chat_group_user")
    users = env["res.users"].with_context(active_test=False, no_reset_password=True)
    operators = users.browse()
    for index in range(1, args.operators + 1):
        login = f"{BENCH_OPERATOR_PREFIX}{index}"
        user = users.search([("login", "=", login)])
        if not user:
            user = users.create(
                {
                    "name": f"Report Operator {index}",
                    "login": login,
                    "group_ids": [Command.link(group.id)],
                }
            )
        operators |= user
    Channel = env["live_chat.channel"].with_context(active_test=False)
    channels = Channel.browse()
    for index in range(1, args.channels + 1):
        name = f"{BENCH_CHANNEL_PREFIX} {index}"
        channel = Channel.search([("name", "=", name)], limit=1) or Channel.create({"name": name})
        # Each channel has its share of the operators; the first operator answers
        # in the first channel only (the operator's view of the report).
        members = operators[index - 1 :: args.channels] or operators[:1]
        channel.write({"active": True, "user_ids": [Command.set(members.ids)]})
        channels |= channel
    for code in LANGS:
        env["res.lang"]._activate_lang(code)
    countries = env["res.country"].search([("code", "in", COUNTRIES)]).ids
    env.flush_all()

    cr = env.cr
    cr.execute(
        "SELECT count(*) FROM discuss_channel WHERE live_chat_channel_id = ANY(%s)",
        [channels.ids],
    )
    if cr.fetchone()[0] == args.sessions and not args.refill:
        log(f"reusing the {args.sessions} sessions of an earlier run (--refill: new ones)")
        return channels, operators, False
    started = time.perf_counter()
    if "helpdesk.ticket" in env:
        cr.execute(
            "DELETE FROM helpdesk_ticket WHERE live_chat_session_id IN "
            "(SELECT id FROM discuss_channel WHERE live_chat_channel_id = ANY(%s))",
            [channels.ids],
        )
    cr.execute("DELETE FROM discuss_channel WHERE live_chat_channel_id = ANY(%s)", [channels.ids])
    log(f"previous benchmark sessions removed in {time.perf_counter() - started:.1f} s")

    started = time.perf_counter()
    now = datetime.now(UTC).replace(tzinfo=None).replace(microsecond=0)
    # One row per session; random() drawn once per row (a lateral subquery), so that
    # the values of a session agree (answered before it ended, missed when late...).
    cr.execute(
        """
        INSERT INTO discuss_channel (
            name, channel_type, uuid, create_date, write_date, create_uid, write_uid,
            live_chat_channel_id, live_chat_operator_id, live_chat_visitor_name,
            live_chat_country_id, live_chat_lang, live_chat_start_dt, live_chat_end_dt,
            live_chat_state, live_chat_first_answer_dt, live_chat_duration,
            live_chat_visitor_message_count, live_chat_operator_message_count,
            live_chat_rating, live_chat_missed)
        SELECT 'Visitor #' || g, 'live_chat', md5(g::text || random()::text), start, start,
               1, 1,
               (%(channels)s)[1 + (g %% array_length(%(channels)s, 1))],
               (%(operators)s)[1 + (g %% array_length(%(operators)s, 1))],
               'Visitor #' || g,
               CASE WHEN r.c < 0.9
                    THEN (%(countries)s)[1 + floor(r.c / 0.9 * array_length(%(countries)s, 1))::int
                                         %% array_length(%(countries)s, 1)] END,
               (%(langs)s)[1 + floor(r.l * array_length(%(langs)s, 1))::int],
               start,
               CASE WHEN g > 50 THEN start + make_interval(secs => r.d * 3600) END,
               CASE WHEN g > 50 THEN 'closed' ELSE 'open' END,
               CASE WHEN r.a < 0.92 THEN start + make_interval(secs => r.a * r.a * 400) END,
               CASE WHEN g > 50 THEN round((r.d * 60)::numeric, 1) ELSE 0 END,
               CASE WHEN g > 50 THEN 1 + floor(r.m * 15)::int ELSE 0 END,
               CASE WHEN g > 50 AND r.a < 0.92 THEN 1 + floor(r.m * 12)::int ELSE 0 END,
               CASE WHEN r.r < 0.15 THEN '5' WHEN r.r < 0.22 THEN '3'
                    WHEN r.r < 0.25 THEN '1' END,
               r.a >= 0.92 OR r.a * r.a * 400 > 120
          FROM generate_series(1, %(count)s) AS g
          CROSS JOIN LATERAL (
                SELECT random() AS c, random() AS l, random() AS a, random() AS d,
                       random() AS m, random() AS r, random() AS t, g AS dummy
          ) AS r
          CROSS JOIN LATERAL (
                SELECT %(now)s - make_interval(secs => (g::float / %(count)s) * %(days)s * 86400)
                    AS start
          ) AS s
        """,
        {
            "channels": channels.ids,
            "operators": operators.ids,
            "countries": countries,
            "langs": list(LANGS),
            "count": args.sessions,
            "days": args.days,
            "now": now,
        },
    )
    tickets = 0
    if "helpdesk.ticket" in env:
        company = env.company.id
        cr.execute(
            """
            INSERT INTO helpdesk_ticket (name, description, company_id, live_chat_session_id,
                                         create_date, write_date)
            SELECT 'Ticket of ' || s.name, '<p>Benchmark</p>', %s, s.id,
                   s.live_chat_start_dt, s.live_chat_start_dt
              FROM discuss_channel s
             WHERE s.live_chat_channel_id = ANY(%s) AND s.id %% 20 = 0
            """,
            [company, channels.ids],
        )
        tickets = cr.rowcount
    env.invalidate_all()
    log(
        f"{args.sessions} sessions ({tickets} with a ticket) filled in "
        f"{time.perf_counter() - started:.1f} s"
    )
    return channels, operators, True


def vacuum(args):
    """VACUUM the tables just filled (outside a transaction: a connection of its own):
    the sessions table as compact as if they had come one by one (FULL: no space left
    by the rows of an earlier run), fresh statistics for the planner."""
    import psycopg2  # noqa: PLC0415 - from Odoo's requirements, in its virtualenv

    connection = psycopg2.connect(
        dbname=args.db,
        host=args.db_host,
        port=args.db_port,
        user=args.db_user,
        password=args.db_password,
    )
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute("VACUUM FULL ANALYZE discuss_channel")
            cr.execute("SELECT to_regclass('helpdesk_ticket')")
            if cr.fetchone()[0]:
                cr.execute("VACUUM ANALYZE helpdesk_ticket")
    finally:
        connection.close()


def measure(name, func, runs):
    """Median and slowest time of ``func`` over ``runs`` runs after one warm-up."""
    func()
    times, rows = [], None
    for _index in range(runs):
        started = time.perf_counter()
        rows = func()
        times.append((time.perf_counter() - started) * 1000)
    return {"name": name, "median": statistics.median(times), "max": max(times), "rows": rows}


def groupings(env, channels, operator):
    """The report's main reads: (name, user env, callable returning a row count)."""
    Report = env["live_chat.session.report"]
    measures = [
        "__count",
        "answer_time:avg",
        "duration:avg",
        "visitor_message_count:sum",
        "operator_message_count:sum",
        "rating:avg",
        "missed_count:sum",
    ]
    has_ticket = "has_ticket" in Report._fields
    if has_ticket:
        measures.append("ticket_session_count:sum")
    last_30 = [("start_dt", ">=", datetime.now(UTC).replace(tzinfo=None) - timedelta(days=30))]

    def group(report, domain, groupby):
        def run():
            report.env.invalidate_all()
            return len(report.formatted_read_group(domain, groupby, measures))

        return run

    def dashboard(channel_env):
        def run():
            channel_env.invalidate_all()
            records = channel_env["live_chat.channel"].browse(channels.ids)
            records.read(["today_session_count", "week_answer_time", "week_rating"])
            return len(records)

        return run

    def list_page(report):
        def run():
            report.env.invalidate_all()
            return len(
                report.web_search_read(
                    last_30,
                    {
                        name: {}
                        for name in (
                            "start_dt",
                            "visitor_name",
                            "answer_time",
                            "duration",
                            "rating_text",
                            "missed",
                        )
                    },
                    limit=80,
                    order="start_dt desc",
                )["records"]
            )

        return run

    as_operator = Report.with_user(operator)
    reads = [
        ("Sessions by channel (all time)", group(Report, [], ["channel_id"])),
        ("Sessions by operator (all time)", group(Report, [], ["operator_id"])),
        (
            "Channel x month (pivot's default)",
            group(Report, [], ["channel_id", "start_dt:month"]),
        ),
        ("By day, last 30 days (graph)", group(Report, last_30, ["start_dt:day"])),
        ("By hour of the day (all time)", group(Report, [], ["start_dt:hour_number"])),
        ("By day of the week (all time)", group(Report, [], ["start_dt:day_of_week"])),
        ("By visitor country (all time)", group(Report, [], ["country_id"])),
        ("By visitor language (all time)", group(Report, [], ["lang_id"])),
        ("By rating (all time)", group(Report, [], ["rating_text"])),
        ("Missed, by operator, last 30 days", group(Report, last_30, ["missed", "operator_id"])),
    ]
    if has_ticket:
        reads.append(("By ticket (all time)", group(Report, [], ["has_ticket"])))
    reads += [
        ("List, last 30 days, first page", list_page(Report)),
        ("Operator: by channel (record rules)", group(as_operator, [], ["channel_id"])),
        ("Operator: by day, last 30 days", group(as_operator, last_30, ["start_dt:day"])),
        ("Dashboard figures, every channel", dashboard(env)),
        ("Dashboard figures, as the operator", dashboard(as_operator.env)),
    ]
    return reads


def main():
    args = parse_args()
    odoo, registry = open_env(args)
    from odoo import SUPERUSER_ID, api  # noqa: PLC0415

    # The sessions are committed (the cursor's end) before they are read.
    with registry.cursor() as cr:
        channels, operators, filled = prepare(
            api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"}), args
        )
        channel_ids, operator_ids = channels.ids, operators.ids
    if filled:
        started = time.perf_counter()
        vacuum(args)
        log(f"VACUUM in {time.perf_counter() - started:.1f} s")
    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {"tz": "UTC"})
        channels = env["live_chat.channel"].browse(channel_ids)
        operators = env["res.users"].browse(operator_ids)
        admin = env.ref("base.user_admin")
        env = env(user=admin, su=False)
        cr.execute(
            "SELECT count(*), pg_size_pretty(pg_total_relation_size('discuss_channel')) "
            "FROM discuss_channel WHERE channel_type = 'live_chat'"
        )
        total, size = cr.fetchone()
        results = [
            measure(name, func, args.runs)
            for name, func in groupings(env, channels, operators[0].with_env(env))
        ]
        cr.rollback()

    width = max(len(result["name"]) for result in results)
    lines = [
        f"Live chat report benchmark: {total} sessions in the database "
        f"(discuss_channel {size}), {args.sessions} filled over {args.days} days, "
        f"{len(channels)} channels, {len(operators)} operators; Odoo {odoo.release.version}",
        f"{args.runs} timed runs per read after a warm-up; budget {args.budget_ms:.0f} ms",
        "",
        f"{'read':<{width}}  {'median ms':>9}  {'max ms':>7}  {'rows':>5}  budget",
    ]
    over = 0
    for result in results:
        ok = result["max"] <= args.budget_ms
        over += not ok
        lines.append(
            f"{result['name']:<{width}}  {result['median']:>9.1f}  {result['max']:>7.1f}  "
            f"{result['rows']:>5}  {'ok' if ok else 'OVER'}"
        )
    lines += ["", "every read within budget" if not over else f"{over} read(s) over budget"]
    report = "\n".join(lines)
    sys.stdout.write(report + "\n")
    os.makedirs(args.out_dir, exist_ok=True)
    with open(os.path.join(args.out_dir, "report-report.txt"), "w", encoding="utf-8") as fp:
        fp.write(report + "\n")
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())

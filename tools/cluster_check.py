#!/usr/bin/env python3
"""Checks of the scaled-out suite, against the cluster of tools/cluster.sh (two Odoo
servers on one database, a streaming replica, the balancing proxy): run by
``tools/cluster.sh check`` (and CI), not on its own. Each check prints one line,
"ok" or "FAIL" and why; the last line is ``cluster: N passed, N failed``; the exit
status is 0 when every check passed.

1. the replica streams from the primary;
2. a visitor on server A and an operator on server B, then the other way round:
   every message of each side reaches the other's websocket, in order (nothing lost);
3. the read-only routes (/live_chat/init, the catch-up /live_chat/session/messages)
   run on the replica (Odoo's log names each request's cursor: ``ro``), none of them
   falls back to the primary for a write;
4. the rate limits count across both servers: 2N page views of one address at the
   same time, half on each server, with a limit of N: N answered, N refused, and the
   next one on either server;
5. the proxy balances between the servers;
6. /live_chat/init keeps answering (on both servers and through the proxy) while the
   primary restarts, and the servers take writes again once it is back;
7. the servers keep their operators' presence: a presence nobody polled for an hour
   is not offered (a server that stopped without closing its sockets), until a
   server holding the operator's socket writes its poll (every minute).
"""

import argparse
import contextlib
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import requests
import websocket

HTTP_TIMEOUT = 20
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64) live_chat-cluster-check"
WS_VERSION = "19.0-2"
MESSAGES = 10
RATE_LIMIT = 12
OPERATOR_PASSWORD = "cluster-operator"


def out(line):
    sys.stdout.write(f"{line}\n")
    sys.stdout.flush()


class CheckFailed(Exception):
    pass


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def wait_for(predicate, timeout, message, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise CheckFailed(message)


class Server:
    def __init__(self, name, spec):
        self.name = name
        self.url, self.ws_url = spec.split(",")


class Socket:
    """A websocket on the host's bus; collects every notification."""

    def __init__(self, url, cookie=None):
        self.ws = websocket.create_connection(
            f"{url}?version={WS_VERSION}",
            timeout=10,
            cookie=cookie,
            header=[f"User-Agent: {USER_AGENT}"],
            enable_multithread=True,
        )
        self.ws.settimeout(0.5)
        self.notifications = []
        self.closing = False
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def send(self, event_name, data):
        self.ws.send(json.dumps({"event_name": event_name, "data": data}))

    def _read(self):
        while not self.closing:
            try:
                frame = self.ws.recv()
            except websocket.WebSocketTimeoutException:
                continue
            except Exception:  # noqa: BLE001 - closed
                return
            with contextlib.suppress(ValueError):
                self.notifications.extend(json.loads(frame) or [])

    def close(self):
        self.closing = True
        with contextlib.suppress(Exception):
            self.ws.close()

    def bodies(self, kind):
        """The texts of the notifications ``kind``, in their order."""
        texts = []
        for notification in list(self.notifications):
            message = notification.get("message") or {}
            if message.get("type") != kind:
                continue
            payload = message.get("payload") or {}
            if kind == "live_chat/message":
                texts.append(str(payload.get("body") or ""))
            else:
                for record in (payload.get("data") or {}).get("mail.message", []):
                    body = record.get("body")
                    texts.append(body[1] if isinstance(body, list) else str(body or ""))
        return texts


def rpc(session, url, path, params):
    response = session.post(
        f"{url}{path}",
        json={"jsonrpc": "2.0", "method": "call", "params": params},
        timeout=HTTP_TIMEOUT,
    )
    data = response.json()
    if "error" in data:
        raise CheckFailed(f"{path}: {json.dumps(data['error'])[:400]}")
    return data["result"]


def call_kw(session, url, model, method, args, kwargs=None):
    return rpc(
        session,
        url,
        f"/web/dataset/call_kw/{model}/{method}",
        {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
    )


class Check:
    def __init__(self, args):
        self.args = args
        self.a, self.b = (Server(name, spec) for name, spec in zip("AB", args.server, strict=True))
        self.results = []
        self.sockets = []
        self.run_id = secrets.token_hex(3)
        # The servers' logs are kept from run to run: this run's lines only.
        self.log_start = {
            name: self._log_path(name).stat().st_size if self._log_path(name).exists() else 0
            for name in "AB"
        }

    # ------------------------------------------------------------
    # Setup
    # ------------------------------------------------------------

    def login(self, server, login, password):
        session = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
        result = rpc(
            session,
            server.url,
            "/web/session/authenticate",
            {"db": self.args.db, "login": login, "password": password},
        )
        expect(result.get("uid"), f"{login} cannot log in on {server.name}")
        return session

    def setup(self):
        self.admin = admin = self.login(self.a, "admin", "admin")
        url = self.a.url
        group = call_kw(
            admin,
            url,
            "ir.model.data",
            "check_object_reference",
            ["live_chat", "live_chat_group_user"],
        )[1]
        login = "cluster_operator"
        users = call_kw(admin, url, "res.users", "search", [[("login", "=", login)]])
        values = {
            "name": "Cluster Operator",
            "password": OPERATOR_PASSWORD,
            "group_ids": [(4, group)],
        }
        if users:
            call_kw(admin, url, "res.users", "write", [users, values])
            self.operator_id = users[0]
        else:
            self.operator_id = call_kw(
                admin, url, "res.users", "create", [{**values, "login": login}]
            )
        self.channel_id = call_kw(
            admin,
            url,
            "live_chat.channel",
            "create",
            [
                {
                    "name": f"Cluster check {self.run_id}",
                    "user_ids": [(6, 0, [self.operator_id])],
                    "max_sessions_per_operator": 0,
                }
            ],
        )
        params = {"live_chat.rate_limit.init_ip": RATE_LIMIT}
        for name in ("message_ip", "message_session", "messages_session", "session_start_ip"):
            params[f"live_chat.rate_limit.{name}"] = 100000
        for key, value in params.items():
            call_kw(admin, url, "ir.config_parameter", "set_param", [key, str(value)])
        self.login_operator = login

    # ------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------

    def visitor_call(self, server, path, payload, ip, expect_status=200):
        response = requests.post(
            f"{server.url}{path}",
            data=json.dumps(payload),
            headers={
                "Content-Type": "text/plain",
                "User-Agent": USER_AGENT,
                # The servers run behind a proxy (--proxy-mode, which Odoo applies to
                # requests naming their host): the visitor's address.
                "X-Forwarded-For": ip,
                "X-Forwarded-Host": server.url.split("//", 1)[1],
            },
            timeout=HTTP_TIMEOUT,
        )
        expect(
            response.status_code == expect_status,
            f"{path} on {server.name}: HTTP {response.status_code} {response.text[:300]}",
        )
        return response.json()

    def operator(self, server):
        """The operator's web client on ``server``: a session, a websocket, online."""
        session = self.login(server, self.login_operator, OPERATOR_PASSWORD)
        sock = Socket(server.ws_url, cookie=f"session_id={session.cookies['session_id']}")
        self.sockets.append(sock)
        sock.send("subscribe", {"channels": [], "last": 0})
        sock.send("update_presence", {"inactivity_period": 0})
        return session, sock

    def _log_path(self, server_name):
        return Path(self.args.logs) / f"{server_name.lower()}.log"

    def log_lines(self, server_name):
        path = self._log_path(server_name)
        if not path.exists():
            return []
        with path.open("rb") as log:
            log.seek(self.log_start[server_name])
            return log.read().decode(errors="replace").splitlines()

    # ------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------

    def check_replica_streams(self):
        with self.connect(self.args.primary_port) as primary, primary.cursor() as cr:
            cr.execute("SELECT state FROM pg_stat_replication")
            states = [row[0] for row in cr.fetchall()]
        expect("streaming" in states, f"no streaming replica on the primary: {states}")
        with self.connect(self.args.replica_port) as replica, replica.cursor() as cr:
            cr.execute("SELECT pg_is_in_recovery()")
            expect(cr.fetchone()[0], "the replica is not in recovery (not a standby)")
        return f"replication state {states}"

    def connect(self, port, dbname=None):
        return contextlib.closing(
            psycopg2.connect(
                host="127.0.0.1",
                port=port,
                user="odoo",
                password=self.args.pg_password,
                dbname=dbname or self.args.db,
                connect_timeout=5,
            )
        )

    def chat_across(self, visitor_server, operator_server):
        """A visitor on one server, the operator on the other: every message of each
        side on the other side's socket, in order."""
        ip = f"10.1.{1 if visitor_server is self.a else 2}.{secrets.randbelow(250) + 1}"
        op_http, op_sock = self.operator(operator_server)
        wait_for(
            lambda: self._offered(visitor_server, ip),
            15,
            "the operator (online on the other server) is not available",
        )
        started = self.visitor_call(
            visitor_server,
            "/live_chat/session/start",
            {"channel_id": self.channel_id, "body": "Hello from the visitor", "name": "Vic"},
            ip,
        )
        session_id, token = started["session"]["id"], started["token"]
        visitor_sock = Socket(visitor_server.ws_url)
        self.sockets.append(visitor_sock)
        visitor_sock.send("subscribe", {"channels": [started["session"]["bus_channel"]], "last": 0})
        # The operator's web client subscribes again when it joins a conversation.
        time.sleep(0.3)  # the host's websocket refuses subscriptions in a burst
        op_sock.send("subscribe", {"channels": [], "last": 0})
        time.sleep(0.5)
        tag = f"{visitor_server.name}{operator_server.name}-{self.run_id}"
        for number in range(MESSAGES):
            self.visitor_call(
                visitor_server,
                "/live_chat/session/post",
                {"session_id": session_id, "token": token, "body": f"visitor {tag} {number}"},
                ip,
            )
            rpc(
                op_http,
                operator_server.url,
                "/mail/message/post",
                {
                    "thread_model": "discuss.channel",
                    "thread_id": session_id,
                    "post_data": {
                        "body": f"operator {tag} {number}",
                        "message_type": "comment",
                        "subtype_xmlid": "mail.mt_comment",
                    },
                },
            )
        pattern = re.compile(rf"(visitor|operator) {re.escape(tag)} (\d+)")

        def heard(sock, kind, side):
            numbers = []
            for text in sock.bodies(kind):
                match = pattern.search(text)
                if match and match.group(1) == side:
                    numbers.append(int(match.group(2)))
            return numbers

        expected = list(range(MESSAGES))
        try:
            wait_for(
                lambda: heard(op_sock, "discuss.channel/new_message", "visitor") == expected,
                15,
                "",
            )
            wait_for(
                lambda: heard(visitor_sock, "live_chat/message", "operator") == expected, 15, ""
            )
        except CheckFailed:
            raise CheckFailed(
                f"operator on {operator_server.name} heard the visitor's "
                f"{heard(op_sock, 'discuss.channel/new_message', 'visitor')}, visitor on "
                f"{visitor_server.name} heard the operator's "
                f"{heard(visitor_sock, 'live_chat/message', 'operator')} (expected {expected})"
            ) from None
        # The catch-up (from the replica) holds them all too.
        page = self.visitor_call(
            visitor_server,
            "/live_chat/session/messages",
            {"session_id": session_id, "token": token},
            ip,
        )
        texts = " ".join(m["body"] for m in page["messages"])
        missing = [n for n in expected if f"operator {tag} {n}" not in texts]
        expect(not missing, f"the catch-up misses the operator's messages {missing}")
        self.visitor_call(
            visitor_server,
            "/live_chat/session/close",
            {"session_id": session_id, "token": token},
            ip,
        )
        op_sock.close()
        visitor_sock.close()
        return (
            f"{MESSAGES} + {MESSAGES} messages, visitor on {visitor_server.name}, operator on "
            f"{operator_server.name}, available"
        )

    def _offered(self, server, ip=None):
        """Whether /init on ``server`` offers an operator: a new page each time (no
        cached answer), from ``ip`` or a new address (no rate limit)."""
        answer = self.visitor_call(
            server,
            f"/live_chat/init/{self.channel_id}",
            {"url": f"https://example.com/{secrets.token_hex(4)}"},
            ip or f"10.3.{secrets.randbelow(250) + 1}.{secrets.randbelow(250) + 1}",
        )
        return answer["available"]

    def check_presence_heartbeat(self):
        """The operator online on server A; their presence made an hour old (what a
        server that stopped without closing their socket leaves): server B offers
        nobody, until a server holding the operator's socket writes its poll."""
        self.operator(self.a)
        wait_for(lambda: self._offered(self.b), 15, "the operator online on A is not offered")
        for _attempt in range(3):
            with self.connect(self.args.primary_port) as pg, pg.cursor() as cr:
                cr.execute(
                    """UPDATE mail_presence
                          SET last_poll = (now() AT TIME ZONE 'UTC') - interval '1 hour'
                        WHERE user_id = (SELECT id FROM res_users WHERE login = %s)
                    RETURNING id""",
                    [self.login_operator],
                )
                expect(cr.fetchall(), "the operator has no presence")
                pg.commit()
            time.sleep(0.5)  # /init reads the replica
            # A heartbeat between the two (one a minute per server) offers them again.
            if not self._offered(self.b):
                break
        else:
            raise CheckFailed("a presence polled an hour ago is offered")
        t0 = time.monotonic()
        # One /init a second (each an uncached page).
        wait_for(
            lambda: self._offered(self.b), 75, "no server wrote the operator's poll within 75 s", 1
        )
        return (
            "not offered with a poll an hour old; offered again"
            f" {time.monotonic() - t0:.0f} s later (a server's heartbeat)"
        )

    def check_readonly_routes(self):
        """Odoo's log names the cursor of every request: ``ro`` (the replica), ``rw``,
        or ``ro->rw`` (a read-only route that tried to write)."""
        modes = {}
        for name in "AB":
            for line in self.log_lines(name):
                match = re.search(
                    r'"POST (/live_chat/(?:init/\d+|session/messages)) HTTP[^"]*" (\d{3}) '
                    r"\S+ \d+ [\d.]+ [\d.]+ (\S+)",
                    line,
                )
                if match:
                    route = "init" if "/init/" in match.group(1) else "messages"
                    key = (route, match.group(3))
                    modes[key] = modes.get(key, 0) + 1
        expect(modes.get(("init", "ro")) and modes.get(("messages", "ro")), f"cursors: {modes}")
        wrong = {key: count for key, count in modes.items() if key[1] != "ro"}
        expect(not wrong, f"read-only routes not on the replica: {wrong} (all: {modes})")
        return ", ".join(
            f"{route} {mode}: {count}" for (route, mode), count in sorted(modes.items())
        )

    def check_rate_limit_across_servers(self):
        """2N page views of one address at the same time, half on each server, with a
        limit of N: exactly N answered (counted on the primary, from the replica's
        requests, without losing concurrent hits), the others refused; then the next
        one on either server."""
        ip = f"10.2.0.{secrets.randbelow(250) + 1}"
        path = f"/live_chat/init/{self.channel_id}"
        # A fresh one-minute window: the limit counts per minute of the database's clock.
        if time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)

        # Pages of their own: only the page views that the servers' caches cannot
        # answer count against the limit.
        page = f"https://example.com/{secrets.token_hex(4)}"

        def hit(number):
            server = (self.a, self.b)[number % 2]
            try:
                self.visitor_call(server, path, {"url": f"{page}/{number}"}, ip)
            except CheckFailed as refused:
                return str(refused).split("HTTP ", 1)[-1][:3]
            return "200"

        try:
            self._refuse_beyond_the_limit(hit, path, ip, page)
        finally:
            # Raised again for the checks below (through the proxy, every request is
            # 127.0.0.1's): the servers learn it from the cache signaling of the host.
            call_kw(
                self.admin,
                self.a.url,
                "ir.config_parameter",
                "set_param",
                ["live_chat.rate_limit.init_ip", "100000"],
            )
        return (
            f"limit {RATE_LIMIT}/min: {2 * RATE_LIMIT} concurrent page views on A and B,"
            f" {RATE_LIMIT} answered, the next refused on both"
        )

    def _refuse_beyond_the_limit(self, hit, path, ip, page):
        with ThreadPoolExecutor(2 * RATE_LIMIT) as pool:
            statuses = list(pool.map(hit, range(2 * RATE_LIMIT)))
        expect(
            statuses.count("200") == statuses.count("429") == RATE_LIMIT,
            f"{2 * RATE_LIMIT} concurrent page views with a limit of {RATE_LIMIT}:"
            f" {sorted(statuses)}",
        )
        for server in (self.a, self.b):
            answer = self.visitor_call(server, path, {"url": f"{page}/next"}, ip, 429)
            expect(answer["error"]["code"] == "rate_limited", f"{answer}")

    def check_proxy_balances(self):
        before = {name: len(self.log_lines(name)) for name in "AB"}
        for _ in range(10):
            response = requests.post(
                f"{self.args.proxy}/live_chat/init/{self.channel_id}",
                data="{}",
                headers={"Content-Type": "text/plain", "X-Forwarded-For": "10.3.0.1"},
                timeout=HTTP_TIMEOUT,
            )
            expect(response.status_code == 200, f"proxy: HTTP {response.status_code}")
        served = {
            name: sum("/live_chat/init/" in line for line in self.log_lines(name)[before[name] :])
            for name in "AB"
        }
        expect(all(served.values()), f"requests through the proxy per server: {served}")
        # A websocket through the proxy.
        sock = Socket(self.args.proxy.replace("http", "ws", 1) + "/websocket")
        self.sockets.append(sock)
        sock.send("subscribe", {"channels": [], "last": 0})
        sock.close()
        return (
            f"10 requests through the proxy: A {served['A']}, B {served['B']};"
            " a websocket through it"
        )

    def check_init_while_primary_restarts(self):
        targets = [self.a.url, self.b.url, self.args.proxy]
        results = []
        stop = threading.Event()

        def hammer(url):
            number = 0
            while not stop.is_set():
                t0 = time.monotonic()
                number += 1
                try:
                    # A page of its own each time: an answer that the servers' caches do
                    # not have, computed from the replica, its rate limit on the primary.
                    response = requests.post(
                        f"{url}/live_chat/init/{self.channel_id}",
                        data=json.dumps({"url": f"https://example.com/restart/{number}"}),
                        headers={
                            "Content-Type": "text/plain",
                            "X-Forwarded-For": "10.4.0.1",
                            "X-Forwarded-Host": url.split("//", 1)[1],
                        },
                        timeout=HTTP_TIMEOUT,
                    )
                    ok = response.status_code == 200 and "options" in response.json()
                    results.append((url, ok, response.status_code, time.monotonic() - t0))
                except (requests.RequestException, ValueError) as error:
                    results.append((url, False, type(error).__name__, time.monotonic() - t0))
                time.sleep(0.05)

        threads = [threading.Thread(target=hammer, args=(url,), daemon=True) for url in targets]
        for thread in threads:
            thread.start()
        time.sleep(1)
        before = len(results)
        t0 = time.monotonic()
        subprocess.run(self.args.restart_primary, shell=True, check=True)
        restart_seconds = time.monotonic() - t0
        time.sleep(2)
        stop.set()
        for thread in threads:
            thread.join(HTTP_TIMEOUT)
        during = results[before:]
        failed = [r for r in during if not r[1]]
        expect(during, "no request during the restart")
        expect(
            not failed,
            f"{len(failed)} of {len(during)} /init failed during the restart: {failed[:5]}",
        )
        slowest = max(r[3] for r in during)
        # Requests that found the primary down: answered, their rate limit not counted.
        uncounted = sum(
            "Rate limits not counted" in line for name in "AB" for line in self.log_lines(name)
        )
        expect(uncounted, "no /init computed while the primary was down: the check saw no gap")
        # Writes again once the primary is back (the pools reconnect).
        for server in (self.a, self.b):
            wait_for(
                lambda server=server: self._can_write(server),
                30,
                f"server {server.name} writes nothing after the restart",
            )
        return (
            f"{len(during)} /init answered while the primary restarted ({restart_seconds:.1f} s),"
            f" {uncounted} of them while it was down, slowest {slowest * 1000:.0f} ms;"
            " both servers write again"
        )

    def _can_write(self, server):
        with contextlib.suppress(CheckFailed, requests.RequestException, ValueError):
            call_kw(
                self.admin,
                server.url,
                "ir.config_parameter",
                "set_param",
                ["live_chat.cluster_check", f"{server.name} {time.time()}"],
            )
            return True
        return False

    # ------------------------------------------------------------

    def run(self, name, func):
        t0 = time.monotonic()
        try:
            detail = func()
        except Exception as error:  # noqa: BLE001 - reported, the next check runs
            self.results.append(False)
            out(f"FAIL {name} ({time.monotonic() - t0:.1f} s): {error}")
        else:
            self.results.append(True)
            out(f"ok   {name} ({time.monotonic() - t0:.1f} s): {detail}")

    def main(self):
        try:
            self.setup()
        except Exception as error:  # noqa: BLE001
            out(f"FAIL setup: {error}")
            self.results.append(False)
        else:
            self.run("replica streams from the primary", self.check_replica_streams)
            # The operator online on the other server for /init to say so.
            self.run(
                "visitor on A, operator on B",
                lambda: self.chat_across(self.a, self.b),
            )
            self.run(
                "visitor on B, operator on A",
                lambda: self.chat_across(self.b, self.a),
            )
            self.run("read-only routes on the replica", self.check_readonly_routes)
            self.run("rate limits across both servers", self.check_rate_limit_across_servers)
            self.run("the proxy balances", self.check_proxy_balances)
            self.run("/init while the primary restarts", self.check_init_while_primary_restarts)
            self.run("the servers keep their operators' presence", self.check_presence_heartbeat)
        for sock in self.sockets:
            sock.close()
        passed = sum(self.results)
        failed = len(self.results) - passed
        out(f"cluster: {passed} passed, {failed} failed")
        return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--proxy", required=True, help="the proxy's URL")
    parser.add_argument(
        "--server", action="append", required=True, help="HTTP_URL,WEBSOCKET_URL (twice: A, B)"
    )
    parser.add_argument("--primary-port", type=int, required=True)
    parser.add_argument("--replica-port", type=int, required=True)
    parser.add_argument("--pg-password", required=True)
    parser.add_argument("--restart-primary", required=True, help="a command")
    parser.add_argument("--logs", required=True, help="the servers' logs (a.log, b.log)")
    args = parser.parse_args()
    if len(args.server) != 2:
        parser.error("--server twice")
    sys.exit(Check(args).main())


if __name__ == "__main__":
    main()

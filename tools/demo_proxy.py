"""Front door of the demo server started by tools/run.sh.

Odoo in multi-worker mode serves websockets only on its gevent port, while the
browser opens ``/websocket`` on the same origin as the page. In production a
reverse proxy (nginx, ...) sends ``/websocket`` to the gevent port; this is the
same routing for a local demo, with nothing to install: one process, gevent
(already in Odoo's virtualenv), routing each TCP connection on its first request.
Browsers open a new connection for every websocket, so a connection that starts
with ``GET /websocket`` carries that websocket and nothing else.

As a reverse proxy does, it tells Odoo (started with ``--proxy-mode``) who the
client is: ``X-Forwarded-For`` (the client's address: the visitors' rate limits
and GeoIP use it), ``X-Forwarded-Host`` and ``X-Forwarded-Proto``, replacing
whatever the client sent in those headers. To add them to every request without
parsing HTTP bodies, an HTTP connection carries one request (``Connection:
close``); the browser opens the next one.

With several Odoo servers (tools/cluster.sh), it balances the connections between
them in turn, websockets included, as a load balancer does: a server that refuses
the connection (stopped, restarting) is skipped for the next one.

    python demo_proxy.py LISTEN_PORT HTTP_PORT GEVENT_PORT [HTTP_PORT GEVENT_PORT ...]
"""

from gevent import monkey

monkey.patch_all()

import contextlib  # noqa: E402
import itertools  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from gevent.server import StreamServer  # noqa: E402

HOST = "127.0.0.1"
MAX_HEAD = 65536
BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    b"Content-Length: 30\r\n\r\nOdoo is not answering (yet).\r\n"
)
BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    b"Content-Length: 13\r\n\r\nBad request\r\n"
)
# Headers that only this proxy may set: a client's own are dropped. Connection and
# Keep-Alive are set again for HTTP requests (one request per connection).
FORWARDED_HEADERS = (b"x-forwarded-for", b"x-forwarded-host", b"x-forwarded-proto", b"forwarded")
HOP_HEADERS = (b"connection", b"keep-alive")


def is_websocket(request_line):
    parts = request_line.split()
    return len(parts) == 3 and parts[1].split(b"?", 1)[0] == b"/websocket"


def rewrite_head(head, client_address, websocket):
    """The request's head (request line and headers, without the blank line) with
    the client's address, host and scheme, and one request per HTTP connection."""
    request_line, *lines = head.split(b"\r\n")
    dropped = FORWARDED_HEADERS if websocket else FORWARDED_HEADERS + HOP_HEADERS
    host = None
    kept = []
    for line in lines:
        name, _sep, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"host":
            host = value.strip()
        if name not in dropped:
            kept.append(line)
    kept.append(b"X-Forwarded-For: " + client_address.encode())
    if host:
        kept.append(b"X-Forwarded-Host: " + host)
    kept.append(b"X-Forwarded-Proto: http")
    if not websocket:
        kept.append(b"Connection: close")
    return b"\r\n".join([request_line, *kept])


def pipe(source, target):
    # A reset or a closed socket on either side ends the copy like a clean close.
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


def connect(upstreams, turn, websocket):
    """A connection to the next server in turn that accepts one, else None."""
    for index in range(len(upstreams)):
        http_port, gevent_port = upstreams[(turn + index) % len(upstreams)]
        with contextlib.suppress(OSError):
            return socket.create_connection(
                (HOST, gevent_port if websocket else http_port), timeout=10
            )
    return None


def make_handler(upstreams):
    """``upstreams``: the (HTTP port, gevent port) of each Odoo server."""
    turns = itertools.count()

    def handle(client, address):
        with client, contextlib.suppress(OSError):
            data = b""
            while b"\r\n\r\n" not in data:
                if len(data) > MAX_HEAD:
                    client.sendall(BAD_REQUEST)
                    return
                chunk = client.recv(MAX_HEAD)
                if not chunk:
                    return
                data += chunk
            head, rest = data.split(b"\r\n\r\n", 1)
            websocket = is_websocket(head.split(b"\r\n", 1)[0])
            upstream = connect(upstreams, next(turns), websocket)
            if upstream is None:
                client.sendall(BAD_GATEWAY)
                return
            upstream.settimeout(None)
            with upstream:
                upstream.sendall(rewrite_head(head, address[0], websocket) + b"\r\n\r\n" + rest)
                to_client = gevent.spawn(pipe, upstream, client)
                to_upstream = gevent.spawn(pipe, client, upstream)
                # The server closing its side ends the connection: after the one
                # request of an HTTP connection, whatever else the client sends on it
                # is never served without the headers above.
                to_client.join()
                to_upstream.kill()

    return handle


def main():
    listen_port, *ports = (int(arg) for arg in sys.argv[1:])
    if not ports or len(ports) % 2:
        sys.exit(__doc__)
    upstreams = list(zip(ports[::2], ports[1::2], strict=True))
    server = StreamServer((HOST, listen_port), make_handler(upstreams))
    server.serve_forever()


if __name__ == "__main__":
    main()

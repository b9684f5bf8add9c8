"""Front door of the demo server started by tools/run.sh.

Odoo in multi-worker mode serves websockets only on its gevent port, while the
browser opens ``/websocket`` on the same origin as the page. In production a
reverse proxy (nginx, ...) sends ``/websocket`` to the gevent port; this is the
same routing for a local demo, with nothing to install: one process, gevent
(already in Odoo's virtualenv), routing each TCP connection on its first request
line. Browsers open a new connection for every websocket, so a connection that
starts with ``GET /websocket`` carries that websocket and nothing else.

    python demo_proxy.py LISTEN_PORT HTTP_PORT GEVENT_PORT
"""

from gevent import monkey

monkey.patch_all()

import contextlib  # noqa: E402
import socket  # noqa: E402
import sys  # noqa: E402

import gevent  # noqa: E402
from gevent.server import StreamServer  # noqa: E402

HOST = "127.0.0.1"
MAX_REQUEST_LINE = 16384
BAD_GATEWAY = (
    b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: text/plain\r\nConnection: close\r\n"
    b"Content-Length: 31\r\n\r\nOdoo is not answering (yet).\r\n\r\n"
)


def is_websocket(request_line):
    parts = request_line.split()
    return len(parts) == 3 and parts[1].split(b"?", 1)[0] == b"/websocket"


def pipe(source, target):
    # A reset or a closed socket on either side ends the copy like a clean close.
    with contextlib.suppress(OSError):
        while data := source.recv(65536):
            target.sendall(data)
    with contextlib.suppress(OSError):
        target.shutdown(socket.SHUT_WR)


def make_handler(http_port, gevent_port):
    def handle(client, _address):
        with client, contextlib.suppress(OSError):
            head = b""
            while b"\n" not in head and len(head) < MAX_REQUEST_LINE:
                chunk = client.recv(MAX_REQUEST_LINE)
                if not chunk:
                    return
                head += chunk
            port = gevent_port if is_websocket(head.split(b"\n", 1)[0]) else http_port
            try:
                upstream = socket.create_connection((HOST, port), timeout=10)
            except OSError:
                client.sendall(BAD_GATEWAY)
                return
            upstream.settimeout(None)
            with upstream:
                upstream.sendall(head)
                to_client = gevent.spawn(pipe, upstream, client)
                to_upstream = gevent.spawn(pipe, client, upstream)
                # The server closing its side ends the connection.
                to_client.join()
                to_upstream.kill()

    return handle


def main():
    listen_port, http_port, gevent_port = (int(arg) for arg in sys.argv[1:4])
    server = StreamServer((HOST, listen_port), make_handler(http_port, gevent_port))
    server.serve_forever()


if __name__ == "__main__":
    main()

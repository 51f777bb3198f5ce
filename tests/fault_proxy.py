"""A TCP proxy in front of a PostgreSQL server that fails on purpose (kiosk fault tests).

It can cut every connection, refuse new ones, swallow a ``COMMIT`` acknowledgement, or
swallow the server's answer to a given statement once that statement has committed. It can
also play a far-away server (every answer ``delay_s`` late) or one that does not answer at
all (``set_hung``: open connections are cut, new ones are accepted and never answered, as
when the server's machine vanished from the network).
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from urllib.parse import urlsplit, urlunsplit

#: The server's acknowledgement of a COMMIT: CommandComplete ('C'), length 11, "COMMIT\0".
COMMIT_REPLY = b"C\x00\x00\x00\x0bCOMMIT\x00"
#: ReadyForQuery ('Z'), length 5, status idle: the statement's own transaction is committed.
READY_IDLE = b"Z\x00\x00\x00\x05I"


# -- a proxy that can fail on purpose ---------------------------------------------------------


class FaultProxy:
    """A TCP proxy on 127.0.0.1 in front of a PostgreSQL server, with faults on demand."""

    def __init__(self, target_port: int, target_host: str = "127.0.0.1") -> None:
        self._target = (target_host, target_port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._lock = threading.Lock()
        self._sockets: set[socket.socket] = set()
        self._down = False
        self._closed = False
        self.drop_next_commit_reply = False
        self.commit_replies_dropped = 0
        self._drop_after: bytes | None = None
        self._armed = False
        #: Seconds each answer from the server is held back (a server this far away).
        self.delay_s = 0.0
        self._hung = False
        self._held: list[socket.socket] = []
        threading.Thread(target=self._accept, name="fault-proxy", daemon=True).start()

    def url(self, server_url: str) -> str:
        """``server_url`` (credentials, database) pointed at the proxy."""
        parts = urlsplit(server_url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1 else host))

    def set_down(self, down: bool) -> None:
        """Down: every open connection is cut and new ones are closed at once."""
        with self._lock:
            self._down = down
            if down:
                for sock in list(self._sockets):
                    self._kill(sock)

    def set_hung(self, hung: bool) -> None:
        """Hung: open connections are cut; new ones are accepted and never answered."""
        with self._lock:
            self._hung = hung
            if hung:
                for sock in list(self._sockets):
                    self._kill(sock)
            else:
                for sock in self._held:
                    with contextlib.suppress(OSError):
                        sock.close()
                self._held.clear()

    def drop_reply_once_committed(self, statement_marker: bytes) -> None:
        """Swallow the server's reply to the next message to the server (a statement or its
        parameters) that holds ``statement_marker``, once the server reports it committed
        (counted like a COMMIT reply in ``commit_replies_dropped``); the connection is cut
        instead."""
        self._drop_after = statement_marker
        self._armed = False

    def close(self) -> None:
        self._closed = True
        self.set_hung(False)
        self.set_down(True)
        self._listener.close()

    def _kill(self, sock: socket.socket) -> None:
        self._sockets.discard(sock)
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
        sock.close()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                if self._down:
                    client.close()
                    continue
                if self._hung:
                    self._held.append(client)  # accepted, never answered
                    continue
            try:
                server = socket.create_connection(self._target, timeout=5)
                server.settimeout(None)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._sockets.update((client, server))
            for src, dst, watch in ((client, server, False), (server, client, True)):
                threading.Thread(target=self._pump, args=(src, dst, watch), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket, watch: bool) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if not watch and self._drop_after is not None and self._drop_after in data:
                    self._armed = True  # the statement is on its way to the server
                if watch and self.drop_next_commit_reply and COMMIT_REPLY in data:
                    self.drop_next_commit_reply = False
                    self.commit_replies_dropped += 1
                    break  # the server has committed; the client never hears of it
                if watch and self._armed and READY_IDLE in data:
                    self._armed, self._drop_after = False, None
                    self.commit_replies_dropped += 1
                    break  # committed, and the server is idle: the reply is lost
                if watch and self.delay_s > 0:
                    time.sleep(self.delay_s)
                dst.sendall(data)
        except OSError:
            pass
        with self._lock:
            self._kill(src)
            self._kill(dst)

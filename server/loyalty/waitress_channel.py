"""waitress's connection, without the main loop spinning while a worker thread sends an answer.

waitress asks each connection on every pass of its main loop whether it has output to send (``writable``). A
worker thread writes its answer into the connection's buffer and sends it itself (waitress's ``send_bytes`` is 1),
under the connection's lock; while it does (the ``send`` lets the GIL go), the main loop sees bytes waiting, polls
for POLLOUT, which a socket with room answers at once, finds the lock taken and can send nothing, and goes round
again until the worker has the GIL back. With 8 registers committing, that was 71 passes of the loop and 140 POLLOUT
events a request (against 2 passes with one register) and a fifth more CPU a commit (docs/performance.md, "Fourth
round"). So while a request of the connection is being served, the main loop leaves its output to the worker,
which sends all of it or, at the end of the request, wakes the main loop to send the rest (``service`` pulls the
trigger); past the buffer's high watermark, where a worker waits for the main loop to make room, the main loop
sends as before, and a connection to be closed is handled as before too.
"""
from __future__ import annotations

from waitress.channel import HTTPChannel


class RegisterChannel(HTTPChannel):
    def writable(self):
        if (self.requests and not self.will_close and not self.close_when_flushed
                and self.total_outbufs_len <= self.adj.outbuf_high_watermark):
            return False
        return super().writable()


def use_on(server):
    """Serve ``server``'s new connections (each of a multi-socket server's) with ``RegisterChannel``."""
    servers = [server] if hasattr(server, "channel_class") else list(getattr(server, "map", {}).values())
    for one in servers:
        if hasattr(one, "channel_class"):
            one.channel_class = RegisterChannel
    return server

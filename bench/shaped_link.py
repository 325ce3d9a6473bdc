"""A shaped TCP link on loopback: one-way delay and a rate limit between a client and a server.

Kernel shaping (tc netem) is not available everywhere (this machine's kernel has no
sch_netem), so the benchmark shapes in user space: every chunk read from one side is
released to the other no earlier than `delay_s` after it arrived and no faster than
`rate_bytes_s` allows, in order, in both directions. Pulls through it behave as pulls from a
registry that far away; only 127.0.0.1 is listened on and contacted.
"""

from __future__ import annotations

import asyncio
import threading
import time

CHUNK = 64 * 1024
Releases = asyncio.Queue[tuple[float, bytes]]  # (when to send, chunk); b"" ends the stream


class ShapedLink:
    """Listens on 127.0.0.1:`port` and forwards to `upstream_port`, shaped."""

    def __init__(self, upstream_port: int, delay_s: float, rate_bytes_s: float) -> None:
        self.upstream_port, self.delay_s, self.rate = upstream_port, delay_s, rate_bytes_s
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    def __enter__(self) -> ShapedLink:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the shaped link did not start")
        return self

    def __exit__(self, *_: object) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(asyncio.start_server(self._accept, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _accept(self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter) -> None:
        upstream_r, upstream_w = await asyncio.open_connection("127.0.0.1", self.upstream_port)
        await asyncio.gather(self._pipe(client_r, upstream_w), self._pipe(upstream_r, client_w))

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """Each chunk leaves at max(arrival + delay, previous departure + its size / rate).

        Reading never waits for the writing, so a chunk's delay starts when it arrives.
        """
        queue: Releases = asyncio.Queue()
        sender = asyncio.create_task(self._send(queue, writer))
        released = 0.0
        try:
            while chunk := await reader.read(CHUNK):
                released = max(time.monotonic() + self.delay_s, released + len(chunk) / self.rate)
                queue.put_nowait((released, chunk))
        except ConnectionError:
            pass
        queue.put_nowait((0.0, b""))
        await sender

    @staticmethod
    async def _send(queue: Releases, writer: asyncio.StreamWriter) -> None:
        try:
            while (item := await queue.get())[1]:
                await asyncio.sleep(max(0.0, item[0] - time.monotonic()))
                writer.write(item[1])
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()

"""Presence on a channel: who is online, across every worker.

Each worker counts its own subscribers per user (`Channel.local`) and reports the set of user ids to the
others through the broker (`p <worker> [ids]`); a worker that opens a channel asks for reports (`q <worker>`).
The union of the reports not yet expired is the channel's `online`, announced to its clients as a volatile
`presence` message. Reports are refreshed every `presence_refresh_secs`; a worker silent for three of those is
gone. Both directions are coalesced: when a room of tablets comes online together, each worker reports once and
each client hears once per `presence_coalesce_secs`, not once per arrival (which would be N²).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable

from realtime.channel import Channel, HubConfig
from realtime.connection import Connection

Enqueue = Callable[[list[tuple[str, str]]], None]
Fanout = Callable[[Channel, str], None]


class Presence:
    """One worker's side of presence: its reports out, the others' in, the announcements to its clients."""

    def __init__(self, config: HubConfig, worker_id: str, enqueue: Enqueue, fanout: Fanout) -> None:
        self.config = config
        self.worker_id = worker_id
        self.enqueue = enqueue  # messages to the broker, (topic, message)
        self.fanout = fanout  # a volatile message to the channel's clients here

    def tracks(self, name: str) -> bool:
        return name.startswith(self.config.presence_prefixes)

    def opened(self, channel: Channel) -> None:
        """This worker now hears the channel: ask the others where they stand."""
        if self.tracks(channel.name):
            self.enqueue([(channel.name, "q " + self.worker_id)])

    def joined(self, channel: Channel, conn: Connection) -> None:
        """A client subscribed: it hears who is online, and its user counts as online here."""
        if not self.tracks(channel.name):
            return
        conn.push(self.wire(channel))
        channel.local[conn.identity.user_id] += 1
        if channel.local[conn.identity.user_id] == 1:
            self.report(channel)

    def left(self, channel: Channel, user_id: int) -> None:
        if not self.tracks(channel.name):
            return
        channel.local[user_id] -= 1
        if channel.local[user_id] <= 0:
            del channel.local[user_id]
            self.report(channel)

    def heard(self, channel: Channel, kind: str, rest: str) -> None:
        """A presence message from the broker: another worker's report (`p`) or its question (`q`)."""
        if kind == "p":
            worker, _, ids = rest.partition(" ")
            expires = time.monotonic() + 3 * self.config.presence_refresh_secs
            channel.reports[worker] = (frozenset(json.loads(ids)), expires)
            self._update(channel)
        elif kind == "q" and rest != self.worker_id and channel.local:
            self.report(channel)

    def refresh(self, channels: Iterable[Channel]) -> None:
        """Every `presence_refresh_secs`: report again, and forget workers that stopped reporting."""
        for channel in channels:
            if self.tracks(channel.name):
                if channel.local:
                    self.report(channel)
                self._update(channel)

    def report(self, channel: Channel) -> None:
        if not channel.report_due:
            channel.report_due = True
            self._later(self._send_report, channel)

    def wire(self, channel: Channel) -> str:
        data = {"online": sorted(channel.online)}
        return json.dumps({"op": "volatile", "channel": channel.name, "type": "presence", "data": data})

    def _send_report(self, channel: Channel) -> None:
        channel.report_due = False
        ids = json.dumps(sorted(channel.local))
        self.enqueue([(channel.name, f"p {self.worker_id} {ids}")])

    def _update(self, channel: Channel) -> None:
        now = time.monotonic()
        for worker, (_, expires) in list(channel.reports.items()):
            if expires < now:
                del channel.reports[worker]  # that worker stopped reporting: it is gone
        online: frozenset[int] = frozenset().union(*(users for users, _ in channel.reports.values()))
        if online != channel.online:
            channel.online = online
            if not channel.announce_due:
                channel.announce_due = True
                self._later(self._announce, channel)

    def _announce(self, channel: Channel) -> None:
        channel.announce_due = False
        self.fanout(channel, self.wire(channel))

    def _later(self, callback: Callable[[Channel], None], channel: Channel) -> None:
        asyncio.get_running_loop().call_later(self.config.presence_coalesce_secs, callback, channel)

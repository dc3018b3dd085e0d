"""kombu's folder transport ("filesystem://", the broker of a machine without Redis), with
each message written whole before a worker can see it.

kombu creates the message's file under its final name and then writes into it; a worker
listing the folder in between moves the empty file away, fails to decode it and the message
is lost (seen as "JSONDecodeError: Expecting value" in a worker's log, under load). Here the
message is written to a hidden partial file that no queue matches, then renamed to its final
name, which is atomic within a folder.
"""

from __future__ import annotations

import os
import uuid
from time import monotonic

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps

TRANSPORT = "cxsuite.lib.folder_broker:Transport"


class Channel(filesystem.Channel):
    def _put(self, queue, payload, **kwargs):  # type: ignore[override] # as kombu's own
        """Put `payload` onto `queue`: written under a name no queue reads, then renamed."""
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.part")
        try:
            with open(partial, "wb") as file:
                file.write(str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc


class Transport(filesystem.Transport):
    Channel = Channel

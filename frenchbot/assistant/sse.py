"""Server-Sent Events framing of the assistant's events."""

import json
from collections.abc import AsyncIterator

from .services import Event


def sse_frame(event: Event) -> str:
    if event.name == "ping":
        # A comment line: ignored by EventSource and by our reader, but it keeps proxies from closing the stream.
        return ": ping\n\n"
    return f"event: {event.name}\ndata: {json.dumps(event.data, ensure_ascii=False)}\n\n"


async def sse_events(events: AsyncIterator[Event]) -> AsyncIterator[str]:
    # Padding first: some proxies hold back the first kilobytes of a response before passing it on.
    yield ":" + " " * 2048 + "\n\n"
    try:
        async for event in events:
            yield sse_frame(event)
    finally:
        await events.aclose()

"""The preview row of `make bench`: a body edit saved, until the open page is told to reload.

The preview (`make serve`, without search, as the other rows) runs in a process of its own
(`python -m bench.preview ROOT ARTICLE PAGE` prints the row as JSON): kept in the bench's
process, its model would count in the peak memory of every process the bench starts after it,
as a forked child's peak includes the parent it was copied from until it runs its program.
A livereload client connected to it saves one article with a new sentence a few times and
measures from the save to the reload message, then checks the page it would reload shows
the sentence. The watcher's polling, its debounce and the build all count.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from tornado.websocket import websocket_connect

from digest.serve import Preview

EDITS = 5
PAUSE = 1.5  # seconds between saves: an editor's saves, not a burst the debounce would merge


def preview_row(root: Path, article: Path, page: str) -> dict:
    """Median and worst seconds from saving `article` to the reload of `page` showing the edit."""
    with contextlib.redirect_stdout(io.StringIO()):  # the preview's "built …" lines: not the table's
        with Preview(root, port=0, overrides={"search": False}).running() as preview:
            delays = asyncio.run(_edits(preview.url, article, page))
    return {"wall": statistics.median(delays), "worst": max(delays), "cpu": None, "rss": None}


async def _edits(url: str, article: Path, page: str) -> list[float]:
    socket = await websocket_connect(url.replace("http://", "ws://") + "/livereload")
    await socket.write_message(json.dumps({"command": "hello", "protocols": ["http://livereload.com/protocols/official-7"]}))
    await socket.read_message()
    delays = []
    for _ in range(EDITS):
        await asyncio.sleep(PAUSE)
        marker = f"Preview marker {time.time_ns()}"
        text = article.read_text().replace("\n\n", f"\n\n{marker}.\n\n", 1)
        started = time.perf_counter()
        article.write_text(text)
        while json.loads(await socket.read_message()).get("command") != "reload":
            pass
        shown = urllib.request.urlopen(url + page).read().decode()
        delays.append(time.perf_counter() - started)
        if marker not in shown:
            raise SystemExit(f"bench: the preview reloaded {page} without the edit")
    socket.close()
    return delays


if __name__ == "__main__":
    root, article, page = sys.argv[1:4]
    print(json.dumps(preview_row(Path(root), Path(article), page)))

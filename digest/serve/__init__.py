"""The preview: build, serve site/ on loopback, rebuild after every save, and reload the open page.

How the pieces fit (one process, two threads):

- The *watcher thread* watches content/, layouts/, seeds/ and site.yaml (`Sources`; told of
  saves by inotify where there is one, `notify.py`, else polling), waits until the saves have
  been quiet for a moment (`Debounce`), then imports new seeds and builds. Watching and building
  share the thread, so a save that lands during a build is seen right after it and simply
  causes one more build: the last save always wins.
- The *server thread* runs tornado (livereload's own server) and serves only files under site/,
  only to requests addressed to the loopback name and port it listens on (DNS rebinding). Every
  HTML page gets one preview script, served from here so the published site never contains it.
- The browser side speaks livereload's protocol with livereload's own livereload.js. The preview
  script plugs into it: on every reload message and on every (re)connect it asks
  `/__digest__/status`, which says which build the page should show; the page reloads when it is
  older, swaps stylesheets in place when only CSS changed, and shows every problem of a failed
  build in an overlay while the last good site stays served.

livereload's `Server` and `Watcher` are not used: the watcher polls every 0.8 s by mtime alone and
drops any reload within seconds of the previous one (so a burst of saves can end on a stale page),
its websocket accepts every Origin, and its static handler follows symlinks out of the root.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import pipeline  # noqa: F401  (tests patch serve.pipeline.build)
from .handlers import (FALLBACK_404, HEAD_END, SCRIPT_PATH, STATUS_PATH, Found, Guarded,  # noqa: F401
                       LivereloadScript, PreviewOnly, ReloadSocket, ScriptHandler, SiteHandler, StatusHandler,
                       _quiet_log, _read, allowed_hosts, inject, is_loopback, locate)
from .overlay import PREVIEW_JS  # noqa: F401
from .preview import READY_TIMEOUT, Preview, Status  # noqa: F401
from .watch import (LONGEST, POLL, QUIET, RACY, SKIPPED_DIRS, WATCHED, Debounce, Rebuilder,  # noqa: F401
                    Sources, _differs, _link_signature, _signature, is_editor_litter)


def serve(root: Path, host: str = "127.0.0.1", port: int = 8000, overrides: dict | None = None) -> int:
    """Build and serve site/ with live reload until Ctrl-C; returns the exit status."""
    if not is_loopback(host):
        print(f"error: the preview listens on loopback only (127.0.0.1, ::1, localhost), not {host}: "
              "anyone on the network could read your drafts", file=sys.stderr)
        return 2
    if not 0 <= port <= 65535:
        print(f"error: port {port} is not between 0 and 65535", file=sys.stderr)
        return 2
    try:
        preview = Preview(root, host, port, overrides)
    except OSError as exc:
        print(f"error: cannot listen on {host}:{port}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"serving site/ at {preview.url}{preview.prefix}/ — saves in content/, layouts/, seeds/ and site.yaml "
          "rebuild it; Ctrl-C stops", flush=True)
    try:
        preview.run()
    except KeyboardInterrupt:
        pass
    print("stopped", flush=True)
    return 0

#!/usr/bin/env python3
"""Command line of the news digest: `python build.py build|check|import|serve --help`."""

import os
import sys

if __name__ == "__main__":
    try:
        from digest.cli import main

        status = main()
    except KeyboardInterrupt:
        # Ctrl-C: every file is replaced whole (a full build swaps site/ in at once), and a build
        # cut short leaves no stamp, so the next one checks every page. No traceback, then.
        print("build.py: interrupted", file=sys.stderr)
        status = 130
    # A build holds hundreds of thousands of objects; freeing them one by one on the way out
    # takes longer than a body-edit rebuild's own work (0.25 s at N = 5,000), while the system
    # frees the whole process at once. Every file is closed by now; only the streams need flushing.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)

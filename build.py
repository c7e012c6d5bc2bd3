#!/usr/bin/env python3
"""Command line of the news digest: `python build.py build|check|import|serve --help`."""

import sys

from digest.cli import main

if __name__ == "__main__":
    sys.exit(main())

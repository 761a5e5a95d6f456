#!/usr/bin/env python
"""Same as `python example_project/manage.py demo [options]`."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_project.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line([sys.argv[0], "demo", *sys.argv[1:]])

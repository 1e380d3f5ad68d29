"""``python -m rasa_patches <rasa arguments>``: Rasa's CLI with the project's patches installed.

Used instead of the ``rasa`` script wherever a Rasa server starts (``scripts/run.sh``, the
image's command in docker-compose.yml, ``tests/servers.py``).
"""

from __future__ import annotations

import sys

import rasa_patches


def main() -> None:
    """Install the patches, then hand the command line to Rasa."""
    rasa_patches.install()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()

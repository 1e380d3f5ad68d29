"""Production tracker and lock stores, and the failures they report (see deploy/README.md)."""

"""`podpub validate`: check a feed against Apple, Spotify, PSP-1 and Podcast Index rules, offline or online.

- `rules`: the catalogue (stable ids, severities, profiles, messages, fixes, sources);
- `parse`: safe, streaming XML reading (no entity expansion, no network, bounded memory);
- `offline`: the checks on the document and on linked files found on disk;
- `online`: the checks on what the feed links, fetched like apps fetch it (`--online`);
- `report`: text and JSON output; `catalogue`: the rule table for the README;
- `run`: SOURCE (show folder, feed file, URL) to a report, and the check `publish` runs first.
"""

from __future__ import annotations

from podpub.validation.run import MAX_FEED_BYTES, check_feed_file, gate_publish, validate

__all__ = ["MAX_FEED_BYTES", "check_feed_file", "gate_publish", "validate"]

"""`podpub import`: move an existing show from any host into a show folder, GUIDs and dates kept.

The modules follow the data: `fetch` (safe HTTP), `xmlload` (XML without entity expansion, repairs of
common encoding and entity mistakes), `values` (messy feed values: dates, durations, flags), `parse`
(RSS or Atom into neutral `records`), `assets` (artwork, transcripts, chapters), `download`
(resumable, verified media downloads), `convert` (records into `podcast.toml` and episode files),
`state` (what earlier imports wrote) and `run` (the steps in order).
"""

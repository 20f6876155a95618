"""The client suite: never collect the parsers' own files (npm installs them in node_modules here)."""

collect_ignore_glob = ["node_modules/*"]

// Parse a feed with podcast-partytime (the Podcast Index's parser) and print what it kept as JSON.
// Usage: node partytime.js FEED.xml   (exit 2 when the parser rejects the feed)
"use strict";
const fs = require("fs");
const pt = require("podcast-partytime");

const feed = pt.parseFeed(fs.readFileSync(process.argv[2], "utf8"), { allowMissingGuid: false });
if (!feed) {
  process.stderr.write("partytime: rejected (invalid XML or no <channel>)\n");
  process.exit(2);
}
process.stdout.write(JSON.stringify(feed, (key, value) => (value instanceof Date ? value.toISOString() : value)));

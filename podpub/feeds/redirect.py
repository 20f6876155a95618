"""The feed left at a show's old address after `podpub move`: the same feed, plus `itunes:new-feed-url`.

Apple Podcasts, Overcast, Pocket Casts and gPodder move a subscription when the feed they poll names
a new URL; listeners of an app that ignores the tag still get every new episode, because podpub keeps
refreshing this copy (its enclosures point at the new location) for as long as the move is listed.
"""

from __future__ import annotations

from lxml import etree

ITUNES = "http://www.itunes.com/dtds/podcast-1.0.dtd"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)


def with_new_feed_url(xml: bytes, new_feed_url: str) -> bytes:
    """`xml` with `<itunes:new-feed-url>` before the first item; an existing one (a later move) is kept."""
    root = etree.fromstring(xml, _PARSER)
    channel = root.find("channel")
    if channel is None:
        raise ValueError("not an RSS feed: no <channel>")
    if channel.find(f"{{{ITUNES}}}new-feed-url") is not None:
        return xml
    tag = etree.Element(f"{{{ITUNES}}}new-feed-url")
    tag.text = new_feed_url
    first_item = channel.find("item")
    if first_item is not None:
        first_item.addprevious(tag)
    else:
        channel.append(tag)
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8")

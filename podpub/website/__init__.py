"""The show's website: static pages rendered beside the feed, published with it under `base_url`.

`podpub.website.render` decides the pages and renders them with Jinja2 (autoescaping on); this
package's `templates/` and `static/` folders hold the HTML, the one CSS file, the small script that
enhances the pages (they work without it) and the XSL stylesheet that shows `feed.xml` to people.
"""

#: where the website's files live under base_url (pages at stable keys, assets content-addressed under site/)
SITE_PAGES = ("index.html", "sitemap.xml")
SITE_FOLDERS = ("episodes/", "archive/", "site/")


def is_site_key(key: str) -> bool:
    """Whether a published key belongs to the website rather than to the feed and the files it links."""
    return key in SITE_PAGES or key.startswith(SITE_FOLDERS)

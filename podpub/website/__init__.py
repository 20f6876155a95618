"""The show's website: static pages rendered beside the feed, published with it under `base_url`.

`podpub.website.render` decides the pages and renders them with Jinja2 (autoescaping on); this
package's `templates/` and `static/` folders hold the HTML, the one CSS file, the small script that
enhances the pages (they work without it) and the XSL stylesheet that shows `feed.xml` to people.
"""

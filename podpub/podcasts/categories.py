"""Apple Podcasts' category list, the only values directories accept.

Category text is case-sensitive and feedgen ships an obsolete list, so podpub checks against this
one (19 categories, 91 subcategories; see shared/docs/feed-rules.md §1.6).
"""

from __future__ import annotations

import difflib

from podpub.errors import ConfigError
from podpub.podcasts.model import Category

APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Arts": ("Books", "Design", "Fashion & Beauty", "Food", "Performing Arts", "Visual Arts"),
    "Business": ("Careers", "Entrepreneurship", "Investing", "Management", "Marketing", "Non-Profit"),
    "Comedy": ("Comedy Interviews", "Improv", "Stand-Up"),
    "Education": ("Courses", "How To", "Language Learning", "Self-Improvement"),
    "Fiction": ("Comedy Fiction", "Drama", "Science Fiction"),
    "Government": (),
    "History": (),
    "Health & Fitness": (
        "Alternative Health",
        "Fitness",
        "Medicine",
        "Mental Health",
        "Nutrition",
        "Sexuality",
    ),
    "Kids & Family": ("Education for Kids", "Parenting", "Pets & Animals", "Stories for Kids"),
    "Leisure": (
        "Animation & Manga",
        "Automotive",
        "Aviation",
        "Crafts",
        "Games",
        "Hobbies",
        "Home & Garden",
        "Video Games",
    ),
    "Music": ("Music Commentary", "Music History", "Music Interviews"),
    "News": (
        "Business News",
        "Daily News",
        "Entertainment News",
        "News Commentary",
        "Politics",
        "Sports News",
        "Tech News",
    ),
    "Religion & Spirituality": (
        "Buddhism",
        "Christianity",
        "Hinduism",
        "Islam",
        "Judaism",
        "Religion",
        "Spirituality",
    ),
    "Science": (
        "Astronomy",
        "Chemistry",
        "Earth Sciences",
        "Life Sciences",
        "Mathematics",
        "Natural Sciences",
        "Nature",
        "Physics",
        "Social Sciences",
    ),
    "Society & Culture": (
        "Documentary",
        "Personal Journals",
        "Philosophy",
        "Places & Travel",
        "Relationships",
    ),
    "Sports": (
        "Baseball",
        "Basketball",
        "Cricket",
        "Fantasy Sports",
        "Football",
        "Golf",
        "Hockey",
        "Rugby",
        "Running",
        "Soccer",
        "Swimming",
        "Tennis",
        "Volleyball",
        "Wilderness",
        "Wrestling",
    ),
    "Technology": (),
    "True Crime": (),
    "TV & Film": ("After Shows", "Film History", "Film Interviews", "Film Reviews", "TV Reviews"),
}

_ALL_NAMES: tuple[str, ...] = tuple(
    [*APPLE_CATEGORIES] + [f"{name} > {sub}" for name, subs in APPLE_CATEGORIES.items() for sub in subs]
)


def parse_category(text: str, where: str) -> Category:
    """Turn `"Society & Culture > Documentary"` into a checked Category.

    Matching forgives case and spacing (producers type by hand) but the result always carries
    Apple's exact spelling; an unknown value is an error that suggests the nearest real category.
    """
    parts = [part.strip() for part in text.split(">")]
    if len(parts) > 2 or not all(parts):
        raise ConfigError(f'{where}: category {text!r} is not of the form "Category" or "Category > Subcategory"')
    by_folded = {name.casefold(): name for name in APPLE_CATEGORIES}
    name = by_folded.get(parts[0].casefold())
    sub: str | None = None
    if name is not None and len(parts) == 2:
        subs = {s.casefold(): s for s in APPLE_CATEGORIES[name]}
        sub = subs.get(parts[1].casefold())
        if sub is None:
            name = None
    if name is None:
        close = difflib.get_close_matches(text, _ALL_NAMES, n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else "see `podpub categories` for Apple's list"
        raise ConfigError(f"{where}: unknown Apple Podcasts category {text!r}; {hint}")
    return Category(name, sub)


def all_categories() -> tuple[str, ...]:
    """Every valid category string, in Apple's order, for `podpub categories`."""
    return _ALL_NAMES

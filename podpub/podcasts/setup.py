"""`podpub init`: a new show folder, checked before anything is written."""

from __future__ import annotations

from pathlib import Path

from podpub.errors import ConfigError, InputError
from podpub.fsutil import atomic_copy, atomic_write_text, is_within
from podpub.podcasts.artwork import check_artwork
from podpub.podcasts.categories import parse_category
from podpub.podcasts.config import (
    CONFIG_NAME,
    check_email,
    check_language,
    check_url,
    load_show,
    render_new_config,
    write_new_config,
)
from podpub.podcasts.model import Show

GITIGNORE = "# podpub: build output and caches, re-created by every build\npublic/\n.podpub/\n"


def create_show(
    root: Path,
    *,
    title: str,
    author: str,
    email: str,
    language: str,
    categories: tuple[str, ...],
    base_url: str,
    description: str = "",
    image: Path | None = None,
    explicit: bool = False,
    show_type: str = "episodic",
    target: str | None = None,
) -> Show:
    if (root / CONFIG_NAME).exists():
        raise InputError(f"{root / CONFIG_NAME}: a show already exists here; edit it, or choose another folder")
    for option, value, check in (
        ("--language", language, check_language),
        ("--email", email, check_email),
        ("--base-url", base_url, check_url),
    ):
        if problem := check(value.strip()):
            raise InputError(f"{option} {value!r}: {problem}")
    parsed = []
    for text in categories:
        try:
            parsed.append(parse_category(text, "--category"))
        except ConfigError as exc:
            raise InputError(str(exc)) from None
    image_name = None
    if image is not None:
        art = check_artwork(image, f"--image {image}")
        image_name = image.name if is_within(image, root) else "artwork" + art.extension
    text = render_new_config(
        title=title.strip(),
        author=author.strip(),
        email=email.strip(),
        language=language.strip(),
        categories=parsed,
        base_url=base_url.strip(),
        description=description.strip(),
        image=image_name,
        explicit=explicit,
        show_type=show_type,
        target=target,
    )
    root.mkdir(parents=True, exist_ok=True)
    if image is not None and image_name and not is_within(image, root):
        atomic_copy(image, root / image_name)
    for folder in ("episodes", "media"):
        (root / folder).mkdir(exist_ok=True)
    if not (root / ".gitignore").exists():
        atomic_write_text(root / ".gitignore", GITIGNORE)
    write_new_config(root, text)
    return load_show(root)

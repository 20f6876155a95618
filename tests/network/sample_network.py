"""A small network for the network-file and feed-link tests: four shows made the way a producer makes them.

`podpub.network.create` writes the workspace and the shows (so the tests see what `new-workspace` and
`new-show` really produce); titles carry French accents and the characters that break careless
escaping (`&`, quotes, `<`), and one show is blocked, so it must stay out of every list.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import tomlkit
from PIL import Image

from podpub.network.create import create_show_in, create_workspace
from podpub.network.workspace import Network, load_network
from podpub.podcasts.model import Show

NETWORK_BASE = "https://cdn.example.org/"
SHOW_BASE = NETWORK_BASE + "{slug}/"
NETWORK_TITLE = "Réseau des écoles & Cie"
HOSTILE_TITLE = 'Les écoles & "nous" <3'
SCRIPT = "<script>alert('x')</script>"

#: slug -> (title, artwork colour, description)
SHOWS: dict[str, tuple[str, tuple[int, int, int], str]] = {
    "ecoles": (HOSTILE_TITLE, (200, 60, 40), "Des voix d'élèves & de profs.\nDeux lignes."),
    "jardin": ("Le jardin", (40, 120, 60), f"Ce qui pousse {SCRIPT} au fond de la cour."),
    "zebre": ("Ça zèbre", (30, 60, 160), "Rayures et ratures."),
    "cachee": ("Émission cachée", (90, 90, 90), "Pas encore prête."),
}
BLOCKED = "cachee"


def make_artwork(path: Path, colour: tuple[int, int, int], size: int = 1400) -> Path:
    """A square RGB JPEG with a pattern (so resizing has something to average), never committed as a binary."""
    image = Image.new("RGB", (size, size), colour)
    step = size // 14
    for x in range(0, size, step):
        image.paste((240, 220, 90), (x, x, x + step, x + step))
    image.save(path, "JPEG", quality=85)
    return path


def set_keys(show_root: Path, **values: object) -> None:
    """Set top-level keys of a show's podcast.toml (as a producer editing it would)."""
    path = show_root / "podcast.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    for key, value in values.items():
        doc[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


def set_table(show_root: Path, table: str, **values: object) -> None:
    """Set keys of a table (`[site]`, `[publish]`) in a show's podcast.toml."""
    path = show_root / "podcast.toml"
    doc = tomlkit.parse(path.read_text(encoding="utf-8"))
    section = doc.get(table)
    if section is None:
        section = tomlkit.table()
        doc[table] = section
    for key, value in values.items():
        section[key] = value
    path.write_text(tomlkit.dumps(doc), encoding="utf-8")


@dataclass
class SampleNetwork:
    root: Path
    art: dict[str, Path]  # slug -> the artwork file given to new-show

    def load(self) -> Network:
        return load_network(self.root)

    def shows(self) -> dict[str, Show]:
        """Every show with its podroll and publisher, as a publish of the network loads them."""
        network = self.load()
        loaded = {slug: network.load_show(slug) for slug in network.show_dirs}
        return {slug: network.linked(show, loaded.values()) for slug, show in loaded.items()}


def build_sample(tmp_path: Path, *, network_image: bool = True) -> SampleNetwork:
    """The workspace with its four shows; the network has artwork (a PNG, to be converted) when asked."""
    root = tmp_path / "reseau"
    create_workspace(
        root,
        title=NETWORK_TITLE,
        description="Les podcasts des écoles du quartier & d'ailleurs.",
        base_url=SHOW_BASE,
        author="Association des écoles",
        email="podcasts@example.org",
        language="fr",
        categories=("Education",),
    )
    if network_image:
        logo = root / "logo.png"
        Image.new("RGB", (600, 600), (250, 200, 30)).save(logo, "PNG")
        config = root / "podpub.toml"
        doc = tomlkit.parse(config.read_text(encoding="utf-8"))
        doc["network"]["image"] = "logo.png"  # type: ignore[index]
        config.write_text(tomlkit.dumps(doc), encoding="utf-8")
    art = {}
    network = load_network(root)
    for slug, (title, colour, description) in SHOWS.items():
        art[slug] = make_artwork(tmp_path / f"{slug}.jpg", colour)
        create_show_in(network, slug, title=title, description=description, image=art[slug])
    set_keys(root / BLOCKED, block=True)
    return SampleNetwork(root, art)


def fixed_date(day: int) -> datetime:
    return datetime(2026, 3, day, 8, 30, tzinfo=UTC)


def is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

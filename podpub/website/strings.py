"""The words of the website in the show's language (English and French; English otherwise), dates
and durations written the way a listener reads them."""

from __future__ import annotations

from datetime import datetime

EN = {
    "skip": "Skip to content",
    "home": "Home",
    "by": "by",
    "subscribe": "Subscribe",
    "subscribe_intro": "Listen in your podcast app:",
    "rss": "RSS feed",
    "feed_label": "Feed address",
    "copy_label": "Copy",
    "copied": "Copied to the clipboard",
    "copy_failed": "Select the address and copy it",
    "episodes": "Episodes",
    "all_episodes": "All episodes",
    "latest": "Latest episodes",
    "page": "Page",
    "newer": "Newer episodes",
    "older": "Older episodes",
    "play": "Play",
    "playing": "Now playing",
    "listen": "Listen",
    "player": "Audio player",
    "back": "Back 15 seconds",
    "forward": "Forward 30 seconds",
    "download": "Download",
    "notes": "Show notes",
    "chapters": "Chapters",
    "transcript": "Transcript",
    "transcript_more": "The transcript continues in the full file",
    "transcript_file": "Transcript",
    "people": "People",
    "links": "Links",
    "support": "Support the show",
    "website": "Website",
    "previous_episode": "Previous episode",
    "next_episode": "Next episode",
    "season": "Season",
    "episode": "Episode",
    "trailer": "Trailer",
    "bonus": "Bonus",
    "explicit": "Explicit",
    "no_episodes": "No episodes yet.",
    "made_with": "Published with podpub",
    "open_link": "link",
    "feed_title": "RSS feed of",
    "feed_page_intro": "This is the podcast's RSS feed. Podcast apps subscribe to its address:",
    "feed_page_copy": "copy it into your app, or visit the website.",
    "duration": "Duration",
    "date": "Date",
    "colon": ": ",
    # a network's page (podpub.network.files)
    "our_podcasts": "Our podcasts",
    "latest_episode": "Latest episode",
    "opml": "All our feeds (OPML)",
    "opml_intro": "Subscribe to every show at once: import this file into your podcast app.",
    "no_shows": "No podcasts yet.",
}

FR = {
    "skip": "Aller au contenu",
    "home": "Accueil",
    "by": "par",
    "subscribe": "S’abonner",
    "subscribe_intro": "Écoutez dans votre application de podcasts :",
    "rss": "Flux RSS",
    "feed_label": "Adresse du flux",
    "copy_label": "Copier",
    "copied": "Copiée dans le presse-papiers",
    "copy_failed": "Sélectionnez l’adresse et copiez-la",
    "episodes": "Épisodes",
    "all_episodes": "Tous les épisodes",
    "latest": "Derniers épisodes",
    "page": "Page",
    "newer": "Épisodes plus récents",
    "older": "Épisodes plus anciens",
    "play": "Écouter",
    "playing": "En cours de lecture",
    "listen": "Écouter",
    "player": "Lecteur audio",
    "back": "Reculer de 15 secondes",
    "forward": "Avancer de 30 secondes",
    "download": "Télécharger",
    "notes": "Notes de l’épisode",
    "chapters": "Chapitres",
    "transcript": "Transcription",
    "transcript_more": "La suite de la transcription est dans le fichier complet",
    "transcript_file": "Transcription",
    "people": "Intervenants",
    "links": "Liens",
    "support": "Soutenir l’émission",
    "website": "Site web",
    "previous_episode": "Épisode précédent",
    "next_episode": "Épisode suivant",
    "season": "Saison",
    "episode": "Épisode",
    "trailer": "Bande-annonce",
    "bonus": "Bonus",
    "explicit": "Explicite",
    "no_episodes": "Aucun épisode pour l’instant.",
    "made_with": "Publié avec podpub",
    "open_link": "lien",
    "feed_title": "Flux RSS de",
    "feed_page_intro": "Ceci est le flux RSS du podcast. Les applications de podcasts s’abonnent à son adresse :",
    "feed_page_copy": "copiez-la dans votre application, ou visitez le site.",
    "duration": "Durée",
    "date": "Date",
    "colon": "\u00a0: ",
    # a network's page (podpub.network.files)
    "our_podcasts": "Nos podcasts",
    "latest_episode": "Dernier épisode",
    "opml": "Tous nos flux (OPML)",
    "opml_intro": "Abonnez-vous à toutes nos émissions d’un coup\u00a0: importez ce fichier dans votre application "
    "de podcasts.",
    "no_shows": "Aucun podcast pour l’instant.",
}

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}  # fmt: skip

_ROLES_FR = {"host": "animation", "co-host": "co-animation", "guest": "invité·e", "producer": "production",
             "editor": "montage"}  # fmt: skip


def base_language(language: str) -> str:
    return "fr" if language.lower().split("-")[0] == "fr" else "en"


def strings_for(language: str) -> dict[str, str]:
    return FR if base_language(language) == "fr" else EN


def long_date(value: datetime, language: str) -> str:
    """`1 March 2026` / `1 mars 2026`: the date in the episode's own timezone, as the producer wrote it."""
    months = _MONTHS[base_language(language)]
    day = "1er" if base_language(language) == "fr" and value.day == 1 else str(value.day)
    return f"{day} {months[value.month - 1]} {value.year}"


def episode_count(count: int, language: str) -> str:
    """`1 episode`, `12 épisodes`: how many episodes a show has, on a network's page (French puts 0
    and 1 in the singular, English only 1)."""
    if base_language(language) == "fr":
        return f"{count} épisode" + ("s" if count > 1 else "")
    return f"{count} episode" + ("s" if count != 1 else "")


def duration_text(seconds: float) -> str:
    """`42 min`, `1 h 05 min`, `45 s` for a listener; rounded to the minute past a minute."""
    total = max(0, round(seconds))
    if total < 60:
        return f"{total} s"
    minutes = round(total / 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def iso_duration(seconds: float) -> str:
    """`PT1H5M3S`, the `<time datetime>` form of a duration."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return "PT" + (f"{hours}H" if hours else "") + (f"{minutes}M" if minutes else "") + f"{secs}S"


def clock(seconds: float) -> str:
    """`4:05`, `1:02:03`: a timestamp in a chapter list or a transcript."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def role_text(role: str, language: str) -> str:
    role = role.lower()
    if base_language(language) == "fr":
        return _ROLES_FR.get(role, role)
    return role

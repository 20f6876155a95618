"""Nothing reaches the store that the producer did not publish: drafts, scheduled episodes (and their
audio, artwork, chapters and transcripts), files lying in the show folder, anything outside the site's
layout. Checked by listing what a folder target and a SeaweedFS bucket hold after a publish, by key and by
content. And a manifest edited to list keys outside the site (`../`) never makes podpub delete or write
there.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from tests.cli_helpers import run_podpub
from tests.conftest import FIXTURES, isolate_aws_env, s3_show, write_show
from tests.rich_show import make_artwork
from tests.s3server import SeaweedFS

LAYOUT = re.compile(
    r"^(feed\.xml|index\.html|sitemap\.xml|archive/(\d+/)?index\.html|episodes/[a-z0-9-]+/index\.html"
    r"|(media|artwork|chapters|transcripts|site)/[a-z0-9._-]+|\.podpub/manifest\.json|\.podpub/manifests/\d{8}\.json)$"
)


def private_show(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, bytes]:
    """One published episode; a draft and a scheduled one with their own files; private files lying
    around. Returns the bytes that must never be published, by what they are."""
    for kind, audio, extra in (
        ("published", "cbr.mp3", ()),
        ("draft", "vbr_xing.mp3", ("--draft",)),
        ("scheduled", "flac.flac", ("--date", "2099-01-01T00:00:00Z")),
    ):
        args = ["add", str(FIXTURES / audio), "--title", f"The {kind} one", *extra]
        if kind != "published":
            art = make_artwork(root.parent / f"{kind}.jpg")
            chapters = root.parent / f"{kind}.txt"
            chapters.write_text(f"00:00:00 {kind} secret chapter\n00:00:01 more\n", encoding="utf-8")
            args += ["--image", str(art), "--chapters", str(chapters),
                     "--transcript", str(FIXTURES / "transcripts" / "good.srt")]  # fmt: skip
        else:
            args += ["--date", "2024-05-01T08:00Z"]
        result = run_podpub(capsys, "-C", str(root), *args)
        assert result.code == 0, result.err
    (root / ".env").write_text("API_TOKEN=private-env-secret\n", encoding="utf-8")
    (root / "notes-private.md").write_text("private producer notes\n", encoding="utf-8")
    shutil.copy(FIXTURES / "vorbis.ogg", root / "media" / "unlisted.ogg")
    never = {
        "draft audio": (FIXTURES / "vbr_xing.mp3").read_bytes(),
        "scheduled audio": (FIXTURES / "flac.flac").read_bytes(),
        "draft artwork": (root.parent / "draft.jpg").read_bytes(),
        "scheduled artwork": (root.parent / "scheduled.jpg").read_bytes(),
        "transcript of unpublished episodes": (FIXTURES / "transcripts" / "good.srt").read_bytes(),
        "unlisted media": (FIXTURES / "vorbis.ogg").read_bytes(),
        ".env": (root / ".env").read_bytes(),
        "private notes": (root / "notes-private.md").read_bytes(),
        "podcast.toml": (root / "podcast.toml").read_bytes(),
    }
    for episode in (root / "episodes").iterdir():
        never[f"episode file {episode.name}"] = episode.read_bytes()
    return never


def check_store(objects: dict[str, bytes], never: dict[str, bytes]) -> None:
    assert objects, "nothing was published"
    digests = {hashlib.sha256(data).hexdigest(): what for what, data in never.items()}
    texts = b"\n".join(objects.values())
    for key, data in objects.items():
        assert LAYOUT.match(key), f"{key} is outside the site's layout"
        digest = hashlib.sha256(data).hexdigest()
        assert digest not in digests, f"{key} is the {digests.get(digest)}"
    for word in (b"draft one", b"scheduled one", b"secret chapter", b"private-env-secret", b"private producer"):
        assert word not in texts, word
    assert b"The published one" in objects["feed.xml"]
    manifest = json.loads(objects[".podpub/manifest.json"])
    assert set(manifest["files"]) <= set(objects) and len(manifest["episodes"]) == 1


def test_a_folder_target_gets_only_what_is_published(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_show(tmp_path / "show")
    never = private_show(root, capsys)
    target = tmp_path / "www"
    result = run_podpub(capsys, "-C", str(root), "publish", "--to", str(target))
    assert result.code == 0, result.err
    objects = {p.relative_to(target).as_posix(): p.read_bytes() for p in target.rglob("*") if p.is_file()}
    check_store(objects, never)
    built = {p.relative_to(root / "public").as_posix() for p in (root / "public").rglob("*") if p.is_file()}
    assert built <= set(objects)  # the build folder holds the same site, and nothing more


def test_a_bucket_gets_only_what_is_published(
    seaweedfs: SeaweedFS, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    isolate_aws_env(monkeypatch, seaweedfs, tmp_path)
    root = s3_show(tmp_path / "show", seaweedfs.endpoint_url, bucket, endpoint_url=seaweedfs.endpoint_url)
    never = private_show(root, capsys)
    result = run_podpub(capsys, "-C", str(root), "publish", "--prune")
    assert result.code == 0, result.err
    client = seaweedfs.client()
    objects: dict[str, bytes] = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for item in page.get("Contents", []):
            assert item["Key"].startswith("show/"), item["Key"]
            body = client.get_object(Bucket=bucket, Key=item["Key"])["Body"].read()
            objects[item["Key"].removeprefix("show/")] = body
    check_store(objects, never)


@pytest.mark.parametrize("key", ["../outside.txt", "/etc/hostname", "media/../../outside.txt", "a//b", "./feed.xml"])
def test_a_manifest_listing_keys_outside_the_site_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], key: str
) -> None:
    root = write_show(tmp_path / "show")
    added = run_podpub(capsys, "-C", str(root), "add", str(FIXTURES / "cbr.mp3"), "--date", "2024-05-01T08:00Z")
    assert added.code == 0, added.err
    target = tmp_path / "www" / "show"
    assert run_podpub(capsys, "-C", str(root), "publish", "--to", str(target)).code == 0
    outside = tmp_path / "www" / "outside.txt"
    outside.write_text("someone else's file", encoding="utf-8")
    for name in (".podpub/manifest.json", ".podpub/manifests/00000001.json"):
        manifest = json.loads((target / name).read_text(encoding="utf-8"))
        manifest["files"][key] = {"sha256": "0" * 64, "size": 1, "content_type": "text/plain"}
        (target / name).write_text(json.dumps(manifest), encoding="utf-8")
    result = run_podpub(capsys, "-C", str(root), "publish", "--to", str(target), "--prune", "--verify")
    assert result.code == 1 and result.err.count("error:") == 1, result.err
    assert "a key outside the site's folder" in result.err and repr(key) in result.err
    assert outside.read_text(encoding="utf-8") == "someone else's file"

"""An audio file rewritten in place while podpub publishes it: refused, never published with wrong bytes.

`build` hard-links the show's audio into public/ and names it after its sha256; a producer who
re-exports the audio in place (same inode) during a publish changes the very file being uploaded.
podpub hashes each file while it uploads it and holds the request that makes the object visible
(PutObject, or CompleteMultipartUpload) until the hash is known, so changed bytes never appear
under a name that promises other bytes.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from podpub.errors import SourceChangedError
from podpub.fsutil import sha256_file
from podpub.storage.base import Upload
from podpub.storage.local import LocalTarget
from tests.conftest import big_mp3
from tests.faultproxy import FaultProxy, key_endswith, upload_part
from tests.faults.conftest import Published, PublishedFactory, assert_one_clear_error, temp_files
from tests.faults.test_store import MULTIPART
from tests.s3server import SeaweedFS


def rewrite_in_place(path: Path) -> None:
    """What an editor exporting over the file does: new bytes, same inode, same size."""
    with open(path, "r+b") as handle:
        handle.seek(64 * 1024)
        handle.write(os.urandom(4096))


def on_first(proxy: FaultProxy, match: Callable[[object], bool], action: Callable[[], None]) -> threading.Event:
    done = threading.Event()

    def hook(record: object) -> None:
        if not done.is_set() and match(record):
            action()
            done.set()

    proxy.on_request = hook
    return done


def check_refused(state: Published, result: object, audio: Path, name: str) -> None:
    assert_one_clear_error(result, "changed on disk", "not published", "previous feed is still live")  # type: ignore[arg-type]
    assert state.live_feed() == state.feed_before
    state.assert_feed_servable()
    assert not [k for k in state.keys("media/") if k.startswith(f"media/{name}")]  # no object under the old hash
    assert state.multipart_uploads() == []
    assert temp_files(state.show) == []

    state.proxy.on_request = None
    state.proxy.reset()
    uploaded = state.uploaded(state.publish())
    [media] = [k for k in uploaded if k.startswith("media/")]
    assert sha256_file(audio).startswith(media.rsplit("-", 1)[1].split(".")[0])  # the new bytes, named for them
    assert set(state.assert_feed_servable()) == set(state.guids)  # and the hashes in every name hold
    state.assert_no_leftovers()


@pytest.mark.parametrize(
    ("size_mib", "when"),
    [
        (12, "before the upload"),  # multipart: refused before any part is sent, or at the latest at completion
        (12, "during the upload"),  # multipart: parts already sent; CompleteMultipartUpload is refused
        (2, "before the upload"),  # one PUT: refused before the request is sent
    ],
)
def test_audio_rewritten_while_publishing_is_refused(
    seaweedfs: SeaweedFS, bucket: str, fault_proxy: FaultProxy, published: PublishedFactory, tmp_path: Path,
    size_mib: int, when: str,
) -> None:  # fmt: skip
    state = published(seaweedfs, fault_proxy, bucket, **MULTIPART)
    state.add(big_mp3(tmp_path / "remix.mp3", size_mib))
    audio = state.show / "media" / "remix.mp3"
    assert state.run("build").code == 0
    [built] = (state.show / "public" / "media").glob("remix-*.mp3")
    assert os.path.samefile(built, audio)  # the premise: publish uploads the producer's very file
    # the first request of a publish comes after its build; part 2 comes mid-upload
    match = key_endswith("/.podpub/manifest.json", "GET") if when == "before the upload" else upload_part(2)
    changed = on_first(fault_proxy, match, lambda: rewrite_in_place(audio))  # type: ignore[arg-type]
    result = state.publish()
    assert changed.is_set()
    check_refused(state, result, audio, "remix")


def test_a_folder_target_refuses_a_changed_source(tmp_path: Path) -> None:
    source = big_mp3(tmp_path / "episode.mp3", 1)
    upload = Upload("media/episode-0123456789ab.mp3", source, source.stat().st_size, sha256_file(source), "audio/mpeg",
                    "public, max-age=31536000, immutable")  # fmt: skip
    rewrite_in_place(source)
    www = tmp_path / "www"
    with pytest.raises(SourceChangedError, match="changed on disk"):
        LocalTarget(www).put(upload)
    assert [p for p in www.rglob("*") if p.is_file()] == []  # neither the file nor a temp file

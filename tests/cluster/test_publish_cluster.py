"""podpub's S3 publishing behaviours, on a multi-process SeaweedFS cluster instead of one process.

The tests imported below are the ones of tests/s3/test_publish_s3.py; pytest collects them here
again, and tests/cluster/conftest.py gives them the cluster under the fixture name `seaweedfs`. So the
same assertions (anonymous serving with the right headers, one GET for an unchanged show, a new
episode writing only its files, racing publishers, --verify and --prune, doctor's checks including
conditional writes, Ctrl-C during a multipart upload, one-line errors), and the rich show's every
linked file served anonymously (tests/s3/test_rich_s3.py), hold on a store whose S3
gateway, filer and storage are separate processes. Left out: the test that stops its own one-process
server mid-upload (the cluster's own outage test is test_outage.py).

Below them, what only a cluster can show: every object podpub writes is stored on both volume
servers (replication 001), which is what keeps the feed readable when one of them is down.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from podpub.website import is_site_key
from tests.conftest import FIXTURES, big_mp3
from tests.conftest import s3_show as make_show
from tests.s3.test_publish_s3 import (  # noqa: F401 - collected here, against the cluster
    add,
    publish,
    test_credential_errors_are_one_line,
    test_ctrl_c_during_a_multipart_upload_aborts_it_and_keeps_the_old_feed,
    test_doctor_passes_and_names_the_failing_check_when_public_read_is_off,
    test_missing_bucket_and_unreachable_endpoint,
    test_published_show_is_served_anonymously_with_the_right_headers,
    test_racing_publishers_on_one_bucket,
    test_unchanged_publish_is_one_get_and_a_new_episode_writes_only_its_files,
    test_verify_repairs_what_changed_behind_podpubs_back_and_prune_spares_foreign_files,
)
from tests.s3.test_rich_s3 import test_every_file_the_rich_feed_links_is_served_anonymously  # noqa: F401
from tests.s3cluster import SeaweedCluster
from tests.s3server import anonymous_request


def test_the_cluster_fixture_is_the_store_under_test(seaweedfs: SeaweedCluster) -> None:
    """The imported tests above must really run against the cluster, not a one-process server."""
    assert isinstance(seaweedfs, SeaweedCluster)
    assert seaweedfs.data_nodes() == {seaweedfs.components[n].address for n in seaweedfs.volume_names}


def test_a_multipart_episode_is_replicated_on_both_volume_servers_and_served_by_range(
    whole_cluster: SeaweedCluster, bucket: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cluster = whole_cluster
    show = make_show(
        tmp_path / "show", cluster.endpoint_url, bucket, endpoint_url=cluster.endpoint_url,
        multipart_threshold_mib=5, multipart_chunk_mib=5,
    )  # fmt: skip
    audio = big_mp3(tmp_path / "long.mp3", 12)  # 3 parts of 5 MiB, the last one shorter
    add(capsys, show, audio)
    add(capsys, show, FIXTURES / "chapters.mp3", date="2026-01-02T00:00:00Z")
    result = publish(capsys, show)
    assert result.code == 0, result.err
    uploaded = json.loads(result.out)["uploaded"]
    media = next(k for k in uploaded if k.startswith("media/long"))

    data = audio.read_bytes()
    url = cluster.public_url(bucket, f"show/{media}")
    status, _, body = anonymous_request(url)
    assert status == 200 and hashlib.sha256(body).digest() == hashlib.sha256(data).digest()
    part = 5 * 1024 * 1024
    for start, end in ((0, 1), (part - 2, part + 1), (2 * part - 1, 2 * part), (len(data) - 3, len(data) - 1)):
        status, headers, body = anonymous_request(url, headers={"Range": f"bytes={start}-{end}"})
        assert status == 206 and body == data[start : end + 1], (start, end)
        assert headers["content-range"] == f"bytes {start}-{end}/{len(data)}"
    head = cluster.client().head_object(Bucket=bucket, Key=f"show/{media}")
    assert head["Metadata"]["sha256"] == hashlib.sha256(data).hexdigest()

    # Every object podpub wrote (media, chapters, feed, pages, manifests) has each of its chunks on
    # both volume servers: losing one server loses no byte a listener needs.
    both = {cluster.components[n].address for n in cluster.volume_names}
    keys = [*uploaded, ".podpub/manifest.json", ".podpub/manifests/00000001.json"]
    for key in keys:
        volumes = cluster.object_volumes(bucket, f"show/{key}")
        assert volumes, key
        assert all(cluster.volume_locations(v) == both for v in volumes), key
    assert len([k for k in keys if not is_site_key(k)]) >= 4  # audio x2, chapters, feed, manifests

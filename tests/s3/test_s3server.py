"""Tests of the S3 test infrastructure itself: the SeaweedFS server and the counting proxy.

They pin the server behaviours podpub's S3 tests rely on (signed access only, anonymous Range reads
through a bucket policy, metadata round trips, multipart, conditional writes, data surviving a
restart), so a SeaweedFS upgrade that changes one of them fails here, with a clear name, rather
than somewhere inside a publish test.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import pytest
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import BotoCoreError, ClientError

from tests.s3server import LOOPBACK, CountingProxy, MiB, ProxyRecord, SeaweedFS, anonymous_request


def _status(exc: ClientError) -> int:
    return int(exc.response["ResponseMetadata"]["HTTPStatusCode"])


def test_server_listens_on_loopback_only_with_chosen_ports(seaweedfs: SeaweedFS) -> None:
    listening = seaweedfs.listening_addresses()
    if not listening:
        pytest.skip("needs Linux /proc to list weed's sockets")
    assert {ip for ip, _ in listening} == {LOOPBACK}
    assert {port for _, port in listening} <= set(seaweedfs.ports.values())
    assert seaweedfs.ports["s3.port"] in {port for _, port in listening}
    assert seaweedfs.startup_seconds is not None and seaweedfs.startup_seconds < 20


def test_put_get_round_trip_keeps_content_type_cache_control_and_metadata(seaweedfs: SeaweedFS, bucket: str) -> None:
    s3 = seaweedfs.client()
    body = os.urandom(4096)
    s3.put_object(
        Bucket=bucket,
        Key="episodes/ep 1.mp3",
        Body=body,
        ContentType="audio/mpeg",
        CacheControl="public, max-age=31536000, immutable",
        Metadata={"sha256": hashlib.sha256(body).hexdigest()},
    )

    head = s3.head_object(Bucket=bucket, Key="episodes/ep 1.mp3")
    assert head["ContentType"] == "audio/mpeg"
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["Metadata"] == {"sha256": hashlib.sha256(body).hexdigest()}
    assert head["ContentLength"] == len(body)
    assert s3.get_object(Bucket=bucket, Key="episodes/ep 1.mp3")["Body"].read() == body


def test_anonymous_range_get_of_public_object_is_206(seaweedfs: SeaweedFS, bucket: str) -> None:
    seaweedfs.client().put_object(Bucket=bucket, Key="ep 1.mp3", Body=b"ID3 and more", ContentType="audio/mpeg")

    status, headers, body = anonymous_request(seaweedfs.public_url(bucket, "ep 1.mp3"), headers={"Range": "bytes=0-1"})

    assert status == 206
    assert body == b"ID"
    assert headers["content-range"] == "bytes 0-1/12"


def test_anonymous_get_of_private_bucket_is_refused(seaweedfs: SeaweedFS) -> None:
    private = seaweedfs.make_bucket(f"podpub-private-{uuid.uuid4().hex[:12]}", public_read=False)
    seaweedfs.client().put_object(Bucket=private, Key="secret.txt", Body=b"no")

    assert anonymous_request(seaweedfs.public_url(private, "secret.txt"))[0] == 403


def test_anonymous_put_is_refused_even_on_a_public_bucket(seaweedfs: SeaweedFS, bucket: str) -> None:
    status, _, _ = anonymous_request(seaweedfs.public_url(bucket, "evil.mp3"), method="PUT", data=b"x")

    assert status == 403
    with pytest.raises(ClientError) as excinfo:
        seaweedfs.client().head_object(Bucket=bucket, Key="evil.mp3")
    assert _status(excinfo.value) == 404


def test_wrong_secret_and_unsigned_clients_are_refused(seaweedfs: SeaweedFS, bucket: str) -> None:
    from botocore import UNSIGNED

    wrong = seaweedfs.client(secret_key="not-the-secret")
    with pytest.raises(ClientError) as excinfo:
        wrong.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert excinfo.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

    unknown = seaweedfs.client(access_key="no-such-key")
    with pytest.raises(ClientError) as excinfo:
        unknown.list_objects_v2(Bucket=bucket)
    assert _status(excinfo.value) == 403

    unsigned = seaweedfs.client(signature_version=UNSIGNED)
    with pytest.raises(ClientError) as excinfo:
        unsigned.put_object(Bucket=bucket, Key="x", Body=b"x")
    assert _status(excinfo.value) == 403


def test_conditional_writes_if_none_match_and_if_match(seaweedfs: SeaweedFS, bucket: str) -> None:
    """Pins SeaweedFS 4.48: create-only and compare-and-swap PUTs both work (what a manifest lock needs).

    One difference from AWS: If-Match on a missing key is 412 here, 404 NoSuchKey on AWS.
    """
    s3 = seaweedfs.client()
    first = s3.put_object(Bucket=bucket, Key="manifest.json", Body=b"v1", IfNoneMatch="*")

    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="manifest.json", Body=b"v2", IfNoneMatch="*")
    assert _status(excinfo.value) == 412
    assert excinfo.value.response["Error"]["Code"] == "PreconditionFailed"

    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="manifest.json", Body=b"v2", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert _status(excinfo.value) == 412

    second = s3.put_object(Bucket=bucket, Key="manifest.json", Body=b"v2", IfMatch=first["ETag"])
    assert second["ETag"] != first["ETag"]
    assert s3.get_object(Bucket=bucket, Key="manifest.json")["Body"].read() == b"v2"

    with pytest.raises(ClientError) as excinfo:  # stale ETag after someone else's write
        s3.put_object(Bucket=bucket, Key="manifest.json", Body=b"v3", IfMatch=first["ETag"])
    assert _status(excinfo.value) == 412

    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=bucket, Key="missing.json", Body=b"v1", IfMatch=first["ETag"])
    assert _status(excinfo.value) == 412  # AWS: 404 NoSuchKey


def test_counting_proxy_counts_a_put_and_a_get_exactly(
    seaweedfs: SeaweedFS, bucket: str, counting_proxy: CountingProxy
) -> None:
    s3 = seaweedfs.client(endpoint_url=counting_proxy.url)

    s3.put_object(Bucket=bucket, Key="feed.xml", Body=b"<rss/>" * 1000, ContentType="application/rss+xml")
    assert s3.get_object(Bucket=bucket, Key="feed.xml")["Body"].read() == b"<rss/>" * 1000

    assert counting_proxy.requests == [
        ProxyRecord("PUT", f"/{bucket}/feed.xml", "", 200),
        ProxyRecord("GET", f"/{bucket}/feed.xml", "", 200),
    ]
    assert counting_proxy.count("PUT") == 1
    assert counting_proxy.count("GET", path_contains="feed.xml") == 1
    counting_proxy.reset()
    assert counting_proxy.requests == []


def test_counting_proxy_records_query_and_error_status(
    seaweedfs: SeaweedFS, bucket: str, counting_proxy: CountingProxy
) -> None:
    s3 = seaweedfs.client(endpoint_url=counting_proxy.url)

    s3.list_objects_v2(Bucket=bucket, Prefix="episodes/")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=bucket, Key="nope")

    listing, head = counting_proxy.requests
    assert (listing.method, listing.path, listing.status) == ("GET", f"/{bucket}", 200)
    assert "list-type=2" in listing.query and "prefix=episodes%2F" in listing.query
    assert head == ProxyRecord("HEAD", f"/{bucket}/nope", "", 404)


def test_counting_proxy_forwards_chunked_request_bodies(
    seaweedfs: SeaweedFS, bucket: str, counting_proxy: CountingProxy
) -> None:
    """A presigned PUT sent with Transfer-Encoding: chunked (no Content-Length) arrives intact."""
    import http.client
    import urllib.parse

    url = seaweedfs.client(endpoint_url=counting_proxy.url).generate_presigned_url(
        "put_object", Params={"Bucket": bucket, "Key": "chunked.txt"}, ExpiresIn=300
    )
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    try:
        connection.request("PUT", f"{parts.path}?{parts.query}", body=iter([b"one ", b"two ", b"three"]))
        response = connection.getresponse()
        response.read()
    finally:
        connection.close()

    assert response.status == 200
    assert counting_proxy.count("PUT") == 1
    assert anonymous_request(seaweedfs.public_url(bucket, "chunked.txt"))[2] == b"one two three"


def test_counting_proxy_faults_block_and_fail_after(
    seaweedfs: SeaweedFS, bucket: str, counting_proxy: CountingProxy
) -> None:
    s3 = seaweedfs.client(endpoint_url=counting_proxy.url, retries={"total_max_attempts": 1})

    counting_proxy.block()
    with pytest.raises(BotoCoreError):
        s3.put_object(Bucket=bucket, Key="blocked", Body=b"x")
    counting_proxy.unblock()

    counting_proxy.fail_after(1000)
    with pytest.raises(BotoCoreError):
        s3.put_object(Bucket=bucket, Key="cut", Body=os.urandom(100_000))
    counting_proxy.fail_after(None)

    assert [(r.method, r.status) for r in counting_proxy.requests] == [("PUT", None), ("PUT", None)]
    for key in ("blocked", "cut"):
        with pytest.raises(ClientError) as excinfo:
            seaweedfs.client().head_object(Bucket=bucket, Key=key)
        assert _status(excinfo.value) == 404
    s3.put_object(Bucket=bucket, Key="after", Body=b"ok")  # the proxy works again


def test_multipart_upload_file_completes_and_leaves_no_upload(
    seaweedfs: SeaweedFS, bucket: str, counting_proxy: CountingProxy, tmp_path: Path
) -> None:
    source = tmp_path / "episode.mp3"
    data = os.urandom(12 * MiB)
    source.write_bytes(data)
    s3 = seaweedfs.client(endpoint_url=counting_proxy.url)
    transfer = TransferConfig(
        multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, preferred_transfer_client="classic"
    )

    s3.upload_file(str(source), bucket, "media/episode.mp3", Config=transfer, ExtraArgs={"ContentType": "audio/mpeg"})

    assert counting_proxy.count("POST") == 2  # CreateMultipartUpload + CompleteMultipartUpload
    assert counting_proxy.count("PUT") == 3  # 5 + 5 + 2 MiB parts
    head = s3.head_object(Bucket=bucket, Key="media/episode.mp3")
    assert head["ContentLength"] == len(data)
    assert head["ContentType"] == "audio/mpeg"
    got = s3.get_object(Bucket=bucket, Key="media/episode.mp3")["Body"].read()
    assert hashlib.sha256(got).digest() == hashlib.sha256(data).digest()
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_abort_multipart_upload_removes_it(seaweedfs: SeaweedFS, bucket: str) -> None:
    s3 = seaweedfs.client()
    upload = s3.create_multipart_upload(Bucket=bucket, Key="media/partial.mp3", ContentType="audio/mpeg")
    s3.upload_part(Bucket=bucket, Key="media/partial.mp3", UploadId=upload["UploadId"], PartNumber=1, Body=b"a" * MiB)
    listed = s3.list_multipart_uploads(Bucket=bucket)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("media/partial.mp3", upload["UploadId"])]

    s3.abort_multipart_upload(Bucket=bucket, Key="media/partial.mp3", UploadId=upload["UploadId"])

    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="media/partial.mp3")
    assert _status(excinfo.value) == 404


def test_restart_keeps_objects_ports_and_policy(seaweedfs: SeaweedFS, bucket: str) -> None:
    endpoint = seaweedfs.endpoint_url
    seaweedfs.client().put_object(Bucket=bucket, Key="ep.mp3", Body=b"still here", ContentType="audio/mpeg")

    seaweedfs.restart()

    assert seaweedfs.endpoint_url == endpoint
    got = seaweedfs.client().get_object(Bucket=bucket, Key="ep.mp3")
    assert got["Body"].read() == b"still here"
    assert got["ContentType"] == "audio/mpeg"
    assert anonymous_request(seaweedfs.public_url(bucket, "ep.mp3"), headers={"Range": "bytes=0-1"})[0] == 206

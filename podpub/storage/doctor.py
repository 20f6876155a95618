"""`podpub doctor`: check a target end to end and say exactly what to fix.

Each check is what a publish or a listener's app will do: find credentials, reach the bucket,
write, read and delete an object, decide a race with a create-only write, and fetch a file from
`base_url` anonymously with `Range: bytes=0-1` the way Apple's player does.
"""

from __future__ import annotations

import contextlib
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from podpub.errors import PodpubError
from podpub.mediatypes import content_type_for
from podpub.storage.base import Target

OK, WARN, FAIL, SKIP = "ok", "warn", "fail", "skip"
PROBE_PREFIX = ".podpub/doctor-"


@dataclass(frozen=True)
class Check:
    name: str
    status: str
    detail: str
    fix: str = ""


@dataclass
class Diagnosis:
    target: str
    checks: list[Check] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return any(c.status == FAIL for c in self.checks)


def provider_hint(endpoint_url: str | None) -> str:
    """How to make a bucket publicly readable on the provider behind `endpoint_url`."""
    host = (endpoint_url or "amazonaws.com").lower()
    if "r2.cloudflarestorage.com" in host:
        return "R2: connect a custom domain to the bucket (Settings > Public access) and use it as base_url"
    if "backblazeb2.com" in host:
        return "B2: set the bucket to Public in the B2 console; base_url is https://f00X.backblazeb2.com/file/BUCKET/"
    if "digitaloceanspaces.com" in host:
        return "Spaces: enable the CDN or a bucket policy allowing s3:GetObject for everyone"
    if "wasabisys.com" in host:
        return 'Wasabi: add a bucket policy allowing s3:GetObject for Principal "*" (public access must be enabled)'
    if "amazonaws.com" in host:
        return (
            "AWS: turn off Block Public Access for the bucket and add a bucket policy allowing s3:GetObject "
            'for Principal "*" on arn:aws:s3:::BUCKET/*, or serve it through CloudFront'
        )
    return 'allow anonymous s3:GetObject (e.g. a bucket policy with Principal "*", `mc anonymous set download`)'


def _http(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={"User-Agent": "podpub-doctor", **headers})
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read(64)
    except urllib.error.HTTPError as exc:
        return exc.code, {k.lower(): v for k, v in exc.headers.items()}, b""


def diagnose(
    target: Target,
    base_url: str,
    *,
    preflight: Callable[[], list[Check]] | None = None,
    endpoint_url: str | None = None,
) -> Diagnosis:
    diagnosis = Diagnosis(target.description)
    add = diagnosis.checks.append
    if preflight is not None:
        diagnosis.checks.extend(preflight())
        if diagnosis.failed:
            return diagnosis
    token = uuid.uuid4().hex[:12]
    probe_key = f"{PROBE_PREFIX}{token}.mp3"
    race_key = f"{PROBE_PREFIX}{token}-race.json"
    payload = b"ID3podpub doctor probe " + token.encode()
    written: list[str] = []
    try:
        try:
            target.put_bytes(probe_key, payload, content_type_for(probe_key), "no-cache")
            written.append(probe_key)
            read = target.get_bytes(probe_key)
        except PodpubError as exc:
            add(Check("write and read", FAIL, str(exc), "give the credentials write access to the bucket and prefix"))
            return diagnosis
        if read != payload:
            add(
                Check(
                    "write and read",
                    FAIL,
                    "the object read back differs from what was written",
                    "the store mangles uploads; check its version (SeaweedFS/Ceph checksum bugs)",
                )
            )
            return diagnosis
        add(Check("write and read", OK, f"wrote, read back and compared {probe_key}"))

        first = target.put_bytes(race_key, b"{}", "application/json", "no-cache", create_only=True)
        written.append(race_key)
        second = target.put_bytes(race_key, b"{}", "application/json", "no-cache", create_only=True)
        if first and not second:
            add(Check("conditional writes", OK, "a second create-only write was refused (412): races are detected"))
        else:
            add(
                Check(
                    "conditional writes",
                    WARN,
                    "the store ignores If-None-Match: * (a second create-only write succeeded)",
                    "publish from one machine at a time: concurrent publishes cannot be detected on this store",
                )
            )

        url = base_url + probe_key
        try:
            status, headers, body = _http(url, {"Range": "bytes=0-1"})
        except (urllib.error.URLError, OSError) as exc:
            add(
                Check(
                    "public read",
                    FAIL,
                    f"GET {url} failed: {getattr(exc, 'reason', exc)}",
                    "check base_url in [publish]: it must be where listeners reach these files",
                )
            )
        else:
            if status == 206 and body == payload[:2]:
                add(Check("public read", OK, f"anonymous GET {url} with Range: bytes=0-1 gave 206 and 2 bytes"))
            elif status == 200:
                add(
                    Check(
                        "public read",
                        FAIL,
                        f"anonymous Range request to {url} gave 200, not 206",
                        "Apple requires byte ranges; serve the files from the bucket or a CDN that keeps them",
                    )
                )
            elif status in (401, 403):
                add(
                    Check(
                        "public read",
                        FAIL,
                        f"anonymous GET {url} was refused ({status}): public read is off",
                        provider_hint(endpoint_url),
                    )
                )
            elif status == 404:
                add(
                    Check(
                        "public read",
                        FAIL,
                        f"anonymous GET {url} found nothing (404)",
                        "base_url does not point at this bucket and prefix; fix base_url or the target",
                    )
                )
            else:
                add(Check("public read", FAIL, f"anonymous GET {url} gave {status}", provider_hint(endpoint_url)))
            if status == 206:
                served = headers.get("content-type", "")
                if served == content_type_for(probe_key):
                    add(Check("content type", OK, f"served as {served}"))
                else:
                    add(
                        Check(
                            "content type",
                            FAIL,
                            f"served as {served!r}, stored as {content_type_for(probe_key)}",
                            "a CDN or server in front rewrites Content-Type; configure it to keep the object's",
                        )
                    )
                with contextlib.suppress(urllib.error.URLError, OSError):
                    _, cors, _ = _http(url, {"Origin": "https://player.example", "Range": "bytes=0-1"})
                    allowed = cors.get("access-control-allow-origin")
                    if allowed in ("*", "https://player.example"):
                        add(Check("CORS", OK, f"Access-Control-Allow-Origin: {allowed}"))
                    else:
                        add(
                            Check(
                                "CORS",
                                WARN,
                                "no Access-Control-Allow-Origin for other sites",
                                "browser players cannot load chapters or transcripts; add a CORS rule allowing "
                                "GET and HEAD from *",
                            )
                        )
    finally:
        for key in written:
            try:
                target.delete(key)
            except PodpubError as exc:
                add(Check("delete", FAIL, str(exc), "give the credentials s3:DeleteObject (needed by --prune)"))
                break
        else:
            if written:
                add(Check("delete", OK, f"removed the {len(written)} probe object(s)"))
    return diagnosis

"""Show and episode artwork: fix what podpub can fix, refuse what it cannot.

Apple wants square RGB JPEG or PNG art of 1400 to 3000 px without transparency, served under the
extension of its real bytes (a `.png` URL serving WebP fails validation), and apps load it faster at
512 KB or less (see docs/feed-rules.md §1.5). A producer cannot be expected to know all of this, so:

- what a machine can fix without guessing is fixed: other formats (WebP, GIF, TIFF, BMP, HEIC when
  Pillow can read it) become JPEG, CMYK/grayscale/palette-with-transparency/16-bit become 8-bit RGB,
  transparency is flattened onto white, EXIF rotation is applied (podcast apps ignore it), and art
  larger than 3000 px is scaled down;
- what needs the producer's eye is refused with a one-line message saying what to do: a picture
  that is not square (where to crop is a design decision), too small (upscaling looks blurry),
  animated, or not an image at all.

A file that already complies is published byte for byte: re-encoding it would only lose quality
and change its content hash (and so its URL). A re-encoded file is the same bytes for the same input
(no timestamps or copied metadata), so republishing never uploads "new" artwork by accident.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from podpub.errors import InputError
from podpub.inputfiles import read_regular

MIN_SIZE = 1400
MAX_SIZE = 3000
#: above this the artwork gets a warning: PRX suggests it for NPR One and Spotify (feed-rules §1.5)
SIZE_BUDGET = 512 * 1024
JPEG_QUALITY = 90

_MIME_TYPES = {".jpg": "image/jpeg", ".png": "image/png"}
_FORMAT_NAMES = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "GIF": "GIF", "TIFF": "TIFF", "BMP": "BMP"}
#: formats podpub reads. A closed list, because some Pillow plugins run external programs on the
#: data (EPS calls Ghostscript); HEIF only opens when a plugin such as pillow-heif is registered.
#: (MPO, a camera's multi-picture JPEG, is opened by the JPEG plugin.)
_READABLE = ("JPEG", "PNG", "WEBP", "GIF", "TIFF", "BMP", "AVIF", "HEIF", "JPEG2000")
_ORIENTATION = 0x0112
_SIXTEEN_BIT_MODES = ("I;16", "I;16L", "I;16B", "I;16N", "I")


@dataclass(frozen=True)
class PreparedArtwork:
    """Artwork ready to publish: `data` is what goes online, under `extension`."""

    data: bytes = field(repr=False)
    extension: Literal[".jpg", ".png"]
    mime_type: str
    width: int
    height: int
    changed: bool  # True when podpub re-encoded the picture; False means `data` is the original bytes
    notes: tuple[str, ...] = ()  # what podpub fixed, e.g. "converted CMYK to RGB"
    warnings: tuple[str, ...] = ()  # one-line messages starting with the label


@dataclass(frozen=True)
class Artwork:
    """A checked artwork file, for callers that work with paths.

    `extension`, `width` and `height` describe `prepared.data`, which is what must be published:
    when `prepared.changed` is True the file at `path` is not what Apple should receive.
    """

    path: Path
    extension: str  # ".jpg" or ".png", of `prepared.data`
    width: int
    height: int
    warnings: tuple[str, ...]
    prepared: PreparedArtwork

    @property
    def data(self) -> bytes:
        """The bytes to publish (the file's own bytes unless podpub had to fix them)."""
        return self.prepared.data

    @property
    def changed(self) -> bool:
        """Whether the bytes to publish differ from the file's."""
        return self.prepared.changed


def _not_an_image(label: str) -> InputError:
    return InputError(f"{label}: not an image (or damaged); use a square JPEG or PNG, {MIN_SIZE} to {MAX_SIZE} px")


def _open(data: bytes, label: str) -> Image.Image:
    """Open `data` and decode it fully, so truncated or corrupt files are refused here, not by Apple.

    The size rules are checked from the header before decoding: they need no pixels, and a wrong
    size should not cost a decode of a possibly huge picture.
    """
    try:
        if data.startswith(b"\x89PNG"):
            # verify() reads every chunk and checks its CRC: load() alone accepts a PNG cut after its
            # pixel data, which we would otherwise publish unchanged
            with Image.open(io.BytesIO(data), formats=["PNG"]) as probe:
                probe.verify()
        image = Image.open(io.BytesIO(data), formats=_readable_formats())
    except Image.DecompressionBombError:
        raise InputError(f"{label}: too large to open safely; export it at {MAX_SIZE}x{MAX_SIZE} px") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _not_an_image(label) from None
    width, height = image.size
    if _frame_count(image) > 1:
        raise InputError(f"{label}: animated or multi-page image; export a single still frame as JPEG or PNG")
    if width != height:
        side = min(width, height)
        crop = f"crop it to {side}x{side}" if side >= MIN_SIZE else f"crop it to a square of at least {MIN_SIZE} px"
        raise InputError(f"{label}: {width}x{height} px is not square; Apple requires square art, {crop}")
    if width < MIN_SIZE:
        raise InputError(
            f"{label}: {width}x{height} px is too small; Apple requires {MIN_SIZE} to {MAX_SIZE} px, "
            f"export it at {MIN_SIZE}x{MIN_SIZE} or more from the original design"
        )
    if Image.MAX_IMAGE_PIXELS and width * height > Image.MAX_IMAGE_PIXELS:
        raise InputError(
            f"{label}: {width}x{height} px is too large to open safely; export it at {MAX_SIZE}x{MAX_SIZE}"
        )
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise _not_an_image(label) from None
    return image


def _readable_formats() -> list[str]:
    """The formats of `_READABLE` this Pillow can open (checked on each call, since a plugin such
    as pillow-heif may be registered after import)."""
    Image.init()
    return [name for name in _READABLE if name in Image.OPEN]


def _frame_count(image: Image.Image) -> int:
    """Frames of an animation or pages of a TIFF; an MPO's extra pictures (camera previews, gain
    maps) are not frames the listener would see, so an MPO counts as one."""
    if image.format == "MPO":
        return 1
    return int(getattr(image, "n_frames", 1))


def _png_bit_depth(data: bytes) -> int:
    """Bits per sample from the PNG header: Pillow reads 16-bit RGB as plain RGB, hiding it."""
    return data[24] if len(data) > 24 else 8


def _orientation(image: Image.Image) -> int:
    try:
        value = image.getexif().get(_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, struct.error):
        return 1  # unreadable EXIF: nothing to apply
    return value if isinstance(value, int) and 2 <= value <= 8 else 1


def _has_transparency(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info


def _is_compliant(image: Image.Image, data: bytes) -> bool:
    """Whether the original bytes can be published as they are."""
    if image.width > MAX_SIZE or _orientation(image) != 1 or _has_transparency(image):
        return False
    if image.format == "JPEG":
        return image.mode == "RGB"
    if image.format == "PNG":
        # a palette PNG without transparency is RGB colour stored compactly: keep it
        return (image.mode == "RGB" and _png_bit_depth(data) == 8) or image.mode == "P"
    return False


def _to_8_bit(image: Image.Image, notes: list[str]) -> Image.Image:
    """16-bit grayscale to 8-bit: Pillow's convert() clips values above 255 to white."""
    if image.mode in _SIXTEEN_BIT_MODES:
        image = image.convert("I") if image.mode != "I" else image
        high = image.getextrema()[1]
        scale = 1 / 256 if isinstance(high, int) and high > 255 else 1
        image = image.point(lambda value: value * scale).convert("L")
        notes.append("reduced 16-bit colour to 8-bit")
    elif image.mode == "F":
        high = image.getextrema()[1]
        scale = 255 if isinstance(high, float) and high <= 1 else 1
        image = image.point(lambda value: value * scale).convert("L")
        notes.append("reduced floating-point colour to 8-bit")
    return image


def _flatten(image: Image.Image, notes: list[str]) -> Image.Image:
    """Composite onto white: Apple wants no alpha channel, and white is what a transparent area
    usually means on the designer's screen (black, Pillow's default, would not be)."""
    rgba = image.convert("RGBA")
    if rgba.getchannel("A").getextrema() == (255, 255):
        notes.append("removed the alpha channel (it was fully opaque)")
    else:
        notes.append("removed transparency (flattened on white)")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def _to_srgb(image: Image.Image, notes: list[str]) -> Image.Image:
    """Convert through the embedded colour profile when there is one.

    The re-encoded JPEG carries no profile, so apps show it as sRGB; converting a CMYK or Display P3
    picture by the numbers alone would shift its colours visibly.
    """
    icc = image.info.get("icc_profile")
    if not icc or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        name = ImageCms.getProfileDescription(source).strip()
        if image.mode == "RGB" and "srgb" in name.lower():
            return image
        converted = ImageCms.profileToProfile(image, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError):
        return image  # a broken profile: fall back to a plain conversion
    if converted is None:
        return image
    if image.mode == "RGB":
        notes.append(f"converted colour profile {name or 'unnamed'} to sRGB")
    return converted


def _to_rgb(image: Image.Image, notes: list[str]) -> Image.Image:
    image = _to_8_bit(image, notes)
    if _has_transparency(image):
        return _flatten(image, notes)
    mode = image.mode
    image = _to_srgb(image, notes)
    if image.mode != "RGB":
        image = image.convert("RGB")
    if mode == "CMYK":
        notes.append("converted CMYK to RGB")
    elif mode in ("L", "1"):
        notes.append("converted grayscale to RGB")
    elif mode == "P":
        notes.append("converted palette colours to RGB")
    elif mode != "RGB":
        notes.append(f"converted colour mode {mode} to RGB")
    return image


def _encode_jpeg(image: Image.Image) -> bytes:
    """JPEG at quality 90, progressive, 72 dpi, with no metadata copied from the source (EXIF,
    comments, profiles), so the same input always gives the same bytes."""
    image.info = {}
    out = io.BytesIO()
    image.save(
        out,
        "JPEG",
        quality=JPEG_QUALITY,
        optimize=True,
        progressive=True,
        subsampling="4:2:0",  # explicit: Pillow's default has changed between versions
        dpi=(72, 72),
    )
    return out.getvalue()


def _size_warnings(data: bytes, label: str) -> tuple[str, ...]:
    if len(data) <= SIZE_BUDGET:
        return ()
    return (
        f"{label}: {len(data) // 1024} KB; keep artwork at 512 KB or less for NPR One and Spotify, "
        "export it with more compression",
    )


def prepare_artwork(data: bytes, label: str) -> PreparedArtwork:
    """The artwork to publish for `data`, fixed where podpub can; InputError where it cannot.

    `label` starts every message (e.g. "podcast.toml: image cover.png"). A compliant RGB JPEG or
    PNG of 1400 to 3000 px comes back as the same bytes; anything else that can be fixed comes back
    as a JPEG with `notes` saying what changed.
    """
    with _open(data, label) as image:
        width = image.width
        source_format = image.format or "unknown"
        if _is_compliant(image, data):
            extension: Literal[".jpg", ".png"] = ".jpg" if source_format == "JPEG" else ".png"
            return PreparedArtwork(
                data=data,
                extension=extension,
                mime_type=_MIME_TYPES[extension],
                width=width,
                height=width,
                changed=False,
                warnings=_size_warnings(data, label),
            )
        notes: list[str] = []
        picture: Image.Image = image
        if _orientation(image) != 1:
            picture = ImageOps.exif_transpose(image)
            notes.append("applied the EXIF rotation (podcast apps ignore it)")
        if source_format == "PNG" and _png_bit_depth(data) == 16 and picture.mode in ("RGB", "RGBA"):
            notes.append("reduced 16-bit colour to 8-bit")
        try:
            picture = _to_rgb(picture, notes)
        except (ValueError, OSError):
            raise InputError(
                f"{label}: colour mode {image.mode} cannot be converted; export it as an RGB JPEG or PNG"
            ) from None
        if source_format == "MPO":
            notes.append("kept only the main picture of a multi-picture (MPO) JPEG")
        elif source_format != "JPEG":
            notes.append(f"converted {_FORMAT_NAMES.get(source_format, source_format)} to JPEG")
        if width > MAX_SIZE:
            picture = picture.resize((MAX_SIZE, MAX_SIZE), Image.Resampling.LANCZOS)
            notes.append(f"scaled {width}x{width} down to {MAX_SIZE}x{MAX_SIZE}")
        if not notes:
            notes.append("re-encoded as RGB JPEG")
        encoded = _encode_jpeg(picture)
    return PreparedArtwork(
        data=encoded,
        extension=".jpg",
        mime_type=_MIME_TYPES[".jpg"],
        width=picture.width,
        height=picture.height,
        changed=True,
        notes=tuple(notes),
        warnings=_size_warnings(encoded, label),
    )


def artwork_from_file(path: Path, label: str) -> PreparedArtwork:
    """`prepare_artwork` on the bytes of `path`, with a one-line error when it cannot be read."""
    try:
        data = read_regular(path)
    except FileNotFoundError:
        raise InputError(f"{label}: file not found") from None
    except IsADirectoryError:
        raise InputError(f"{label}: is a folder; point it at a JPEG or PNG file") from None
    except OSError as exc:
        raise InputError(f"{label}: cannot read it ({exc.strerror or exc}); give a readable JPEG or PNG file") from None
    return prepare_artwork(data, label)


def check_artwork(path: Path, label: str) -> Artwork:
    """The artwork at `path`, checked and prepared; publish `Artwork.data` under `Artwork.extension`.

    Kept for callers that work with paths. Since podpub now fixes what it can, the bytes to publish
    may differ from the file's (`Artwork.changed`).
    """
    prepared = artwork_from_file(path, label)
    return Artwork(
        path=path,
        extension=prepared.extension,
        width=prepared.width,
        height=prepared.height,
        warnings=prepared.warnings,
        prepared=prepared,
    )


def square_thumbnail(data: bytes, size: int, label: str) -> bytes:
    """A `size`×`size` JPEG of the picture in `data`, for web pages (a network's list of shows).

    Unlike `prepare_artwork` this takes any readable still picture (a network's logo need not meet
    Apple's rules): the EXIF rotation is applied, colours become sRGB RGB, transparency is flattened on
    white, a picture that is not square is centre-cropped, and the JPEG carries no metadata, so the same
    picture always gives the same bytes (and the same content-addressed URL). InputError when `data` is
    not a picture podpub reads.
    """
    try:
        image = Image.open(io.BytesIO(data), formats=_readable_formats())
    except Image.DecompressionBombError:
        raise InputError(f"{label}: too large to open safely; export it at {MAX_SIZE}x{MAX_SIZE} px") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, struct.error):
        raise InputError(f"{label}: not a picture podpub can read (or damaged); use a JPEG or PNG") from None
    with image:
        try:
            # a JPEG is decoded straight at a fraction of its size (a 3000 px cover at 1/4): much faster,
            # and still at least twice the thumbnail for the resampling below
            image.draft(image.mode, (size * 2, size * 2))
            picture = _to_rgb(ImageOps.exif_transpose(image), [])
            picture = ImageOps.fit(picture, (size, size), Image.Resampling.LANCZOS)
        except (OSError, SyntaxError, ValueError, EOFError, struct.error):
            raise InputError(f"{label}: not a picture podpub can read (or damaged); use a JPEG or PNG") from None
        return _encode_jpeg(picture)

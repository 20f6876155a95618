"""Artwork: compliant files pass untouched, fixable ones are fixed, the rest are refused clearly.

Every picture is generated with Pillow in memory or in tmp_path: no image fixtures in the repo.
"""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image, ImageCms

from podpub.errors import InputError
from podpub.podcasts.artwork import (
    Artwork,
    PreparedArtwork,
    artwork_from_file,
    check_artwork,
    prepare_artwork,
)

LABEL = "podcast.toml: image cover"


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **params)
    return out.getvalue()


def picture(size: int | tuple[int, int] = 1400, mode: str = "RGB", colour: object = None) -> Image.Image:
    """A plain picture with a red square in the top-left quarter, so rotations are visible."""
    width, height = (size, size) if isinstance(size, int) else size
    background = colour if colour is not None else {"RGBA": (0, 0, 255, 255), "CMYK": (255, 0, 0, 0)}.get(mode, 0)
    image = Image.new(mode, (width, height), background)  # type: ignore[arg-type]
    marker = {"RGB": (255, 0, 0), "RGBA": (255, 0, 0, 255), "L": 255, "CMYK": (0, 255, 255, 0)}[mode]
    image.paste(marker, (0, 0, width // 2, height // 2))  # type: ignore[arg-type]
    return image


def decoded(prepared: PreparedArtwork) -> Image.Image:
    image = Image.open(io.BytesIO(prepared.data))
    image.load()
    return image


def assert_one_line_error(excinfo: pytest.ExceptionInfo[InputError], *parts: str) -> str:
    message = str(excinfo.value)
    assert "\n" not in message
    assert message.startswith(LABEL + ": ")
    for part in parts:
        assert part in message
    return message


# --- compliant files are published as they are ---------------------------------------------------


def test_compliant_jpeg_is_returned_byte_identical() -> None:
    data = encode(picture(1400), "JPEG", quality=85)
    prepared = prepare_artwork(data, LABEL)
    assert prepared.data == data
    assert prepared.changed is False
    assert prepared.notes == ()
    assert prepared.warnings == ()
    assert (prepared.extension, prepared.mime_type) == (".jpg", "image/jpeg")
    assert (prepared.width, prepared.height) == (1400, 1400)


def test_compliant_png_is_returned_byte_identical() -> None:
    data = encode(picture(3000), "PNG")
    prepared = prepare_artwork(data, LABEL)
    assert prepared.data == data
    assert prepared.changed is False
    assert (prepared.extension, prepared.mime_type) == (".png", "image/png")
    assert (prepared.width, prepared.height) == (3000, 3000)


def test_palette_png_without_transparency_is_kept() -> None:
    data = encode(picture(1400).convert("P"), "PNG")
    prepared = prepare_artwork(data, LABEL)
    assert prepared.data == data and not prepared.changed


def test_extension_comes_from_the_bytes_not_the_file_name(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"  # a PNG named .jpg
    path.write_bytes(encode(picture(1400), "PNG"))
    prepared = artwork_from_file(path, LABEL)
    assert prepared.extension == ".png" and not prepared.changed


# --- what podpub fixes -----------------------------------------------------------------------------


def test_cmyk_jpeg_becomes_rgb_jpeg() -> None:
    prepared = prepare_artwork(encode(picture(1400, "CMYK"), "JPEG"), LABEL)
    image = decoded(prepared)
    assert prepared.changed
    assert (image.format, image.mode, prepared.extension) == ("JPEG", "RGB", ".jpg")
    assert "converted CMYK to RGB" in prepared.notes
    red = image.getpixel((10, 10))
    assert isinstance(red, tuple) and red[0] > 200 and red[1] < 60 and red[2] < 60


def test_re_encoded_srgb_picture_drops_its_profile_without_converting() -> None:
    # the rotation forces a re-encode; an sRGB profile needs no conversion and is not copied
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(picture(1400), "JPEG", icc_profile=profile, exif=_exif_orientation(6))
    prepared = prepare_artwork(data, LABEL)
    image = decoded(prepared)
    assert "icc_profile" not in image.info
    assert not any("colour profile" in note for note in prepared.notes)  # sRGB needs no conversion


def test_rgba_png_is_flattened_on_white_into_jpeg() -> None:
    image = Image.new("RGBA", (1400, 1400), (0, 0, 0, 0))  # fully transparent...
    image.paste((255, 0, 0, 255), (0, 0, 700, 700))  # ...except an opaque red quarter
    prepared = prepare_artwork(encode(image, "PNG"), LABEL)
    result = decoded(prepared)
    assert (result.format, result.mode, prepared.extension, prepared.mime_type) == ("JPEG", "RGB", ".jpg", "image/jpeg")
    assert "removed transparency (flattened on white)" in prepared.notes
    assert "converted PNG to JPEG" in prepared.notes
    white = result.getpixel((1000, 1000))
    assert isinstance(white, tuple) and min(white) > 245  # transparent became white, not black


def test_opaque_rgba_says_the_alpha_channel_was_unused() -> None:
    prepared = prepare_artwork(encode(picture(1400, "RGBA"), "PNG"), LABEL)
    assert "removed the alpha channel (it was fully opaque)" in prepared.notes


def test_palette_png_with_transparency_is_flattened() -> None:
    image = picture(1400).convert("P")
    data = encode(image, "PNG", transparency=0)
    prepared = prepare_artwork(data, LABEL)
    assert prepared.changed and decoded(prepared).mode == "RGB"
    assert any("transparency" in note for note in prepared.notes)


def test_grayscale_becomes_rgb() -> None:
    prepared = prepare_artwork(encode(picture(1400, "L"), "JPEG"), LABEL)
    assert decoded(prepared).mode == "RGB"
    assert "converted grayscale to RGB" in prepared.notes


def test_16_bit_grayscale_png_keeps_its_tones() -> None:
    image = Image.new("I;16", (1400, 1400), 0x8000)  # mid grey: clipping would make it white
    prepared = prepare_artwork(encode(image, "PNG"), LABEL)
    result = decoded(prepared)
    grey = result.getpixel((5, 5))
    assert result.mode == "RGB" and isinstance(grey, tuple) and 120 <= grey[0] <= 136
    assert "reduced 16-bit colour to 8-bit" in prepared.notes


def test_16_bit_rgb_png_is_re_encoded() -> None:
    # Pillow reads 16-bit RGB as 8-bit RGB, so write one by hand
    size = 1400
    row = b"\x00" + b"\x80\x00\x40\x00\x20\x00" * size
    data = _png(size, bit_depth=16, colour_type=2, raw=row * size)
    prepared = prepare_artwork(data, LABEL)
    assert prepared.changed and "reduced 16-bit colour to 8-bit" in prepared.notes


def test_webp_becomes_jpeg() -> None:
    prepared = prepare_artwork(encode(picture(1400), "WEBP", quality=80), LABEL)
    assert decoded(prepared).format == "JPEG"
    assert prepared.extension == ".jpg" and prepared.changed
    assert "converted WebP to JPEG" in prepared.notes


@pytest.mark.parametrize(("fmt", "name"), [("GIF", "GIF"), ("TIFF", "TIFF"), ("BMP", "BMP")])
def test_other_formats_become_jpeg(fmt: str, name: str) -> None:
    prepared = prepare_artwork(encode(picture(1400), fmt), LABEL)
    image = decoded(prepared)
    assert (image.format, image.mode) == ("JPEG", "RGB")
    assert f"converted {name} to JPEG" in prepared.notes


def test_large_art_is_scaled_down_to_3000() -> None:
    prepared = prepare_artwork(encode(picture(4000), "PNG"), LABEL)
    assert (prepared.width, prepared.height) == (3000, 3000)
    assert decoded(prepared).size == (3000, 3000)
    assert "scaled 4000x4000 down to 3000x3000" in prepared.notes


def test_exif_rotation_is_applied() -> None:
    # Orientation 6: the viewer must rotate 90° clockwise, so the red top-left quarter ends up top-right.
    data = encode(picture(1400), "JPEG", exif=_exif_orientation(6))
    prepared = prepare_artwork(data, LABEL)
    image = decoded(prepared)
    top_left, top_right = image.getpixel((100, 100)), image.getpixel((1300, 100))
    assert isinstance(top_left, tuple) and isinstance(top_right, tuple)
    assert top_right[0] > 200 and top_left[0] < 60
    assert image.getexif().get(0x0112) is None  # no EXIF left to rotate it twice
    assert any("EXIF rotation" in note for note in prepared.notes)


def test_re_encoded_jpeg_is_72_dpi_without_metadata() -> None:
    data = encode(picture(1400, "CMYK"), "JPEG", dpi=(300, 300), comment=b"made in 2024", exif=_exif_orientation(1))
    image = decoded(prepare_artwork(data, LABEL))
    assert image.info.get("dpi") == (72, 72)
    assert "exif" not in image.info and "comment" not in image.info and "icc_profile" not in image.info
    assert image.info.get("progressive") or image.info.get("progression")


def test_same_input_gives_the_same_bytes() -> None:
    for data in (
        encode(picture(3100), "PNG"),
        encode(picture(1400, "CMYK"), "JPEG"),
        encode(picture(1400, "RGBA"), "PNG"),
        encode(picture(1400), "WEBP"),
    ):
        first, second = prepare_artwork(data, LABEL), prepare_artwork(bytes(data), LABEL)
        assert first.changed and first.data == second.data


def test_heavy_art_gets_a_warning_not_an_error() -> None:
    noisy = Image.merge("RGB", [Image.effect_noise((1400, 1400), 100).convert("L") for _ in range(3)])
    data = encode(noisy, "PNG")
    assert len(data) > 512 * 1024
    prepared = prepare_artwork(data, LABEL)
    assert prepared.data == data and not prepared.changed
    assert len(prepared.warnings) == 1
    warning = prepared.warnings[0]
    assert warning.startswith(LABEL + ": ") and "512 KB" in warning and "\n" not in warning


# --- what podpub refuses ---------------------------------------------------------------------------


def test_too_small_is_refused_with_its_size() -> None:
    with pytest.raises(InputError) as excinfo:
        prepare_artwork(encode(picture(1000), "JPEG"), LABEL)
    assert_one_line_error(excinfo, "1000x1000", "1400x1400 or more")


def test_not_square_is_refused_with_how_to_crop() -> None:
    with pytest.raises(InputError) as excinfo:
        prepare_artwork(encode(picture((1400, 1500)), "PNG"), LABEL)
    assert_one_line_error(excinfo, "1400x1500", "not square", "crop it to 1400x1400")


def test_text_file_is_not_an_image(tmp_path: Path) -> None:
    path = tmp_path / "cover.jpg"
    path.write_text("this is not a picture\n", encoding="utf-8")
    with pytest.raises(InputError) as excinfo:
        artwork_from_file(path, LABEL)
    assert_one_line_error(excinfo, "not an image (or damaged)", "square JPEG or PNG, 1400 to 3000 px")


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_refused(fmt: str) -> None:
    data = encode(Image.effect_noise((1400, 1400), 50).convert("RGB"), fmt)
    with pytest.raises(InputError) as excinfo:
        prepare_artwork(data[: len(data) // 2], LABEL)
    assert_one_line_error(excinfo, "not an image (or damaged)")


def test_png_missing_its_end_is_refused() -> None:
    data = encode(picture(1400), "PNG")
    with pytest.raises(InputError) as excinfo:
        prepare_artwork(data[:-6], LABEL)  # cut inside IEND: the pixels still decode
    assert_one_line_error(excinfo, "not an image (or damaged)")


def test_animated_image_is_refused() -> None:
    frames = [picture(1400), picture(1400, colour=(0, 255, 0))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    with pytest.raises(InputError) as excinfo:
        prepare_artwork(data, LABEL)
    assert_one_line_error(excinfo, "animated")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError) as excinfo:
        artwork_from_file(tmp_path / "nope.png", LABEL)
    assert str(excinfo.value) == f"{LABEL}: file not found"


# --- the path-based wrapper used by site, setup and add ----------------------------------------


def test_check_artwork_describes_what_will_be_published(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"  # WebP bytes under a PNG name: published as .jpg
    path.write_bytes(encode(picture(1500), "WEBP"))
    art = check_artwork(path, LABEL)
    assert isinstance(art, Artwork)
    assert art.path == path
    assert (art.extension, art.width, art.height) == (".jpg", 1500, 1500)
    assert decoded(art.prepared).format == "JPEG"
    assert art.changed and art.data == art.prepared.data
    assert art.warnings == art.prepared.warnings


def test_check_artwork_keeps_compliant_files(tmp_path: Path) -> None:
    path = tmp_path / "cover.png"
    path.write_bytes(encode(picture(1400), "PNG"))
    art = check_artwork(path, LABEL)
    assert (art.extension, art.width, art.height, art.warnings) == (".png", 1400, 1400, ())
    assert not art.changed and art.data == path.read_bytes()


def test_check_artwork_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        check_artwork(tmp_path / "missing.jpg", LABEL)


# --- helpers ---------------------------------------------------------------------------------------


def _exif_orientation(value: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = value
    return exif.tobytes()


def _png(size: int, *, bit_depth: int, colour_type: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", size, size, bit_depth, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")

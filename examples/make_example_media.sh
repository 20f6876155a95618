#!/usr/bin/env bash
# Regenerate the media of the example show "La Voix du Quartier": three short French episodes
# (espeak-ng speech after a two-note chime) and the show artwork.
#
# Output: la-voix-du-quartier/media/{00-bande-annonce,01-le-jardin-de-l-ecole,02-la-fete-de-la-rue}.mp3
# (mono 56 kbit/s CBR MP3 with a LAME Info header, ID3v2.4 tags; episode 2 has ID3 chapters) and
# la-voix-du-quartier/artwork.jpg (1400x1400 RGB JPEG). podcast.toml and episodes/*.md are written by
# hand and are not touched. Needs ffmpeg, lame, espeak-ng and python3 with mutagen and Pillow.
# The outputs are committed; rerun this only to change them.
set -euo pipefail

cd "$(dirname "$0")"
SHOW="$PWD/la-voix-du-quartier"
MEDIA="$SHOW/media"
for tool in ffmpeg lame espeak-ng python3; do
    command -v "$tool" >/dev/null || { echo "make_example_media.sh: $tool is missing" >&2; exit 1; }
done
mkdir -p "$MEDIA"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
FF=(ffmpeg -nostdin -v error -y)
BITEXACT=(-fflags +bitexact -flags +bitexact)

# A two-note chime (G5 then C6) that opens every episode.
"${FF[@]}" -f lavfi -i "sine=f=784:r=44100:d=0.35" -f lavfi -i "sine=f=1047:r=44100:d=0.6" \
    -filter_complex "[0]afade=t=out:st=0.2:d=0.15[a];[1]afade=t=out:st=0.2:d=0.4[b];[a][b]concat=n=2:v=0:a=1,volume=0.35,apad=pad_dur=0.4" \
    -ac 1 "${BITEXACT[@]}" "$TMP/chime.wav"

segment() { # segment OUT TEXT: speech at 44.1 kHz mono with 0.4 s of silence after it
    espeak-ng -v fr -s 145 -w "$TMP/raw.wav" "$2"
    "${FF[@]}" -i "$TMP/raw.wav" -af "aresample=44100,apad=pad_dur=0.4" -ac 1 "${BITEXACT[@]}" "$1"
}
join() { # join OUT IN...: concatenate WAVs
    local out="$1" inputs=() n=0
    shift
    for f in "$@"; do inputs+=(-i "$f"); n=$((n + 1)); done
    local labels=""
    for ((i = 0; i < n; i++)); do labels+="[$i]"; done
    "${FF[@]}" "${inputs[@]}" -filter_complex "${labels}concat=n=$n:v=0:a=1" "${BITEXACT[@]}" "$out"
}

segment "$TMP/trailer.wav" "Bienvenue dans La Voix du Quartier, le podcast de l'association du quartier. \
Chaque mois, les voisins racontent ce qui se passe dans nos rues: le jardin de l'école, la fête de la rue, \
et tous ceux qui font vivre le quartier. Abonnez-vous pour ne rien manquer!"
segment "$TMP/jardin.wav" "Épisode un: le jardin de l'école. Les élèves de l'école Jean-Jaurès ont planté un \
potager dans la cour. Tomates, courges et fraises poussent à côté du compost du quartier. \
Vous pouvez venir aider tous les samedis matin, à partir de dix heures."
segment "$TMP/fete1.wav" "Épisode deux: la fête de la rue. Tout a commencé dès huit heures avec la brocante."
segment "$TMP/fete2.wav" "À midi, la chorale et la fanfare du quartier ont donné un concert sur la place."
segment "$TMP/fete3.wav" "Et le soir, plus de deux cents voisins ont partagé le grand repas. Merci à tous!"

join "$TMP/00.wav" "$TMP/chime.wav" "$TMP/trailer.wav"
join "$TMP/01.wav" "$TMP/chime.wav" "$TMP/jardin.wav"
join "$TMP/02.wav" "$TMP/chime.wav" "$TMP/fete1.wav" "$TMP/fete2.wav" "$TMP/fete3.wav"

lame --quiet -b 56 -m m --resample 44.1 "$TMP/00.wav" "$MEDIA/00-bande-annonce.mp3"
lame --quiet -b 56 -m m --resample 44.1 "$TMP/01.wav" "$MEDIA/01-le-jardin-de-l-ecole.mp3"
lame --quiet -b 56 -m m --resample 44.1 "$TMP/02.wav" "$MEDIA/02-la-fete-de-la-rue.mp3"

python3 - "$SHOW" "$TMP" <<'PYEOF'
import sys
import wave
from pathlib import Path

from mutagen.id3 import CHAP, CTOC, ID3, TALB, TCON, TDRC, TIT2, TPE1, CTOCFlags
from PIL import Image, ImageDraw, ImageFont

show, tmp = Path(sys.argv[1]), Path(sys.argv[2])


def seconds(name: str) -> float:
    with wave.open(str(tmp / name)) as w:
        return w.getnframes() / w.getframerate()


def tag(name: str, title: str, date: str) -> ID3:
    tags = ID3()
    tags.add(TIT2(encoding=3, text=title))
    tags.add(TPE1(encoding=3, text="Association du Quartier"))
    tags.add(TALB(encoding=3, text="La Voix du Quartier"))
    tags.add(TDRC(encoding=3, text=date))
    tags.add(TCON(encoding=3, text="Podcast"))
    return tags


media = show / "media"
tag("00", "Bande-annonce", "2026-09-01").save(media / "00-bande-annonce.mp3", v2_version=4)
tag("01", "Le jardin de l'école", "2026-10-05").save(media / "01-le-jardin-de-l-ecole.mp3", v2_version=4)

# Episode 2: one chapter per story; the first starts at 0 so that it covers the chime.
tags = tag("02", "La fête de la rue", "2026-11-02")
b1 = seconds("chime.wav") + seconds("fete1.wav")
b2 = b1 + seconds("fete2.wav")
end = b2 + seconds("fete3.wav")
bounds = [(0.0, b1, "La brocante"), (b1, b2, "Le concert"), (b2, end, "Le grand repas")]
tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
              child_element_ids=[f"ch{i}" for i in range(len(bounds))],
              sub_frames=[TIT2(encoding=3, text="Chapitres")]))
for i, (start, stop, title) in enumerate(bounds):
    tags.add(CHAP(element_id=f"ch{i}", start_time=round(start * 1000), end_time=round(stop * 1000),
                  sub_frames=[TIT2(encoding=3, text=title)]))
tags.save(media / "02-la-fete-de-la-rue.mp3", v2_version=4)

# Artwork: a night-blue sky, a row of houses with lit windows, a speech bubble with sound waves
# and the title, 1400x1400 as Apple asks (1400 to 3000 px, RGB).
S = 1400
img = Image.new("RGB", (S, S), (28, 43, 84))
d = ImageDraw.Draw(img)
d.ellipse((1080, 110, 1260, 290), fill=(250, 214, 120))  # the moon
d.rectangle((0, 1080, S, S), fill=(46, 60, 70))  # the street
houses = [(40, 780, (231, 111, 81)), (300, 700, (244, 162, 97)), (560, 820, (233, 196, 106)),
          (820, 740, (42, 157, 143)), (1080, 800, (231, 111, 81))]
for x, top, colour in houses:
    d.rectangle((x, top, x + 240, 1080), fill=colour)
    d.polygon([(x - 20, top), (x + 120, top - 120), (x + 260, top)], fill=(120, 40, 50))
    for wx in (x + 35, x + 140):
        for wy in range(top + 40, 1000, 110):
            d.rectangle((wx, wy, wx + 65, wy + 65), fill=(255, 236, 170))
    d.rectangle((x + 90, 960, x + 150, 1080), fill=(80, 50, 40))
for x in range(60, S, 180):  # road markings
    d.rectangle((x, 1230, x + 100, 1250), fill=(240, 240, 230))
# Speech bubble with sound waves.
d.rounded_rectangle((110, 90, 1000, 560), radius=70, fill=(255, 255, 255))
d.polygon([(260, 550), (380, 550), (230, 680)], fill=(255, 255, 255))
font = ImageFont.load_default(size=118)
small = ImageFont.load_default(size=54)
d.text((555, 230), "La Voix du", font=font, fill=(28, 43, 84), anchor="mm")
d.text((555, 360), "Quartier", font=font, fill=(231, 111, 81), anchor="mm")
d.text((555, 480), "le podcast de l'association", font=small, fill=(60, 70, 90), anchor="mm")
for r in (60, 110, 160):
    d.arc((1150 - r, 520 - r, 1150 + r, 520 + r), start=-50, end=50, fill=(250, 214, 120), width=18)
d.ellipse((1120, 490, 1180, 550), fill=(250, 214, 120))
img.save(show / "artwork.jpg", "JPEG", quality=82, optimize=True)
PYEOF

du -ch "$MEDIA"/*.mp3 "$SHOW/artwork.jpg" | tail -n 1

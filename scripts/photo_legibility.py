"""How small can a KTP photo get and stay legible? (issue: photos at the speed of the link)

Draws synthetic Indonesian identity cards (KTP: ID-1, 85.6 x 54 mm, the NIK in large
bold digits, the other fields in ~1.6 mm capitals, a light patterned background, the
photo on the right) as a phone camera sees them: a 12 MP frame (4000 x 3000) with the
card filling about half its width, slightly turned, out of focus, unevenly lit, with
sensor noise, saved as the camera's JPEG. Then each candidate plan shrinks that capture
the way the app does (power-of-two decode subsampling, bilinear scaling to the long
side, the JPEG quality ladder until the file fits the byte cap) and Tesseract reads the
result. A page is legible when the NIK reads exactly and the name and birth date read
with at most one wrong character: what an officer checks on a KTP. Tesseract reads
worse than a person does, so a plan it can read is one an officer can read.

Deterministic: fixed seed; the same Pillow and Tesseract give the same table.
Usage: photo_legibility.py [--cards N] [--seed S] [--out DIR]
"""
import argparse
import io
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FRAME = (4000, 3000)  # a 12 MP phone camera
CARD_MM = (85.6, 53.98)

NAMES = ["SITI NURHALIZA", "AGUS SALIM WIBOWO", "DEWI LESTARI PUTRI", "MUHAMMAD RIZKY",
         "RINA MARLINA", "BUDI SANTOSO", "ANI YUDHOYONO", "SRI WAHYUNINGSIH",
         "EKO PRASETYO", "NUR AINI ZAHRA", "JOKO SUSILO", "PUTRI AYU KARTIKA"]
PLACES = ["CILACAP", "INDRAMAYU", "BLITAR", "LOMBOK TIMUR", "CIANJUR", "PONOROGO"]

# The plans to compare: (long side px, byte cap, quality ladder). The first is the
# app's plan before this measurement.
PLANS = [
    ("1600 px, <=600 KB, q85..50", 1600, 600 * 1024, [85, 75, 65, 50]),
    ("1600 px, <=250 KB, q80..50", 1600, 250 * 1024, [80, 70, 60, 50]),
    ("1600 px, <=150 KB, q75..40", 1600, 150 * 1024, [75, 65, 55, 45, 40]),
    ("1280 px, <=150 KB, q80..40", 1280, 150 * 1024, [80, 70, 60, 50, 40]),
    ("1280 px, <=100 KB, q75..35", 1280, 100 * 1024, [75, 65, 55, 45, 35]),
    ("1024 px, <=100 KB, q80..40", 1024, 100 * 1024, [80, 70, 60, 50, 40]),
    ("800 px, <=80 KB, q80..40", 800, 80 * 1024, [80, 70, 60, 50, 40]),
    # Below this the text breaks up: where it does shows the margin the plans above keep.
    ("640 px, <=60 KB, q80..40", 640, 60 * 1024, [80, 70, 60, 50, 40]),
    ("480 px, <=40 KB, q80..40", 480, 40 * 1024, [80, 70, 60, 50, 40]),
    ("400 px, <=30 KB, q80..40", 400, 30 * 1024, [80, 70, 60, 50, 40]),
]


def font(name, px):
    return ImageFont.truetype(os.path.join(FONT_DIR, name), max(4, int(round(px))))


def card_fields(rng):
    nik = "".join(rng.choice("0123456789") for _ in range(16))
    nik = rng.choice(["31", "32", "33", "35", "52"]) + nik[2:]
    name = rng.choice(NAMES)
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(1970, 2004)
    birth = f"{rng.choice(PLACES)}, {day:02d}-{month:02d}-{year}"
    return nik, name, birth


def draw_card(rng, px_per_mm, nik, name, birth):
    """The card itself at px_per_mm, RGBA (rounded corners transparent)."""
    w, h = int(CARD_MM[0] * px_per_mm), int(CARD_MM[1] * px_per_mm)
    card = Image.new("RGB", (w, h), (196, 222, 240))
    d = ImageDraw.Draw(card)
    # The security print: fine wavy lines a little darker than the ground.
    for k in range(0, h, max(2, int(px_per_mm * 1.2))):
        pts = [(x, k + 0.6 * px_per_mm * ((x * 7 // w + k) % 3 - 1)) for x in range(0, w, max(1, w // 60))]
        d.line(pts, fill=(170, 200, 226), width=max(1, int(px_per_mm * 0.15)))
    mm = lambda v: v * px_per_mm
    bold, regular = "DejaVuSans-Bold.ttf", "DejaVuSans.ttf"
    head = font(bold, mm(2.6))
    d.text((w / 2, mm(3)), "PROVINSI JAWA TENGAH", font=head, fill=(20, 20, 20), anchor="mt")
    d.text((w / 2, mm(6.5)), "KABUPATEN CILACAP", font=head, fill=(20, 20, 20), anchor="mt")
    d.text((mm(4), mm(11.5)), "NIK", font=font(bold, mm(3.4)), fill=(0, 0, 0))
    d.text((mm(17), mm(11.5)), f": {nik}", font=font(bold, mm(3.4)), fill=(0, 0, 0))
    small = font(regular, mm(2.2))  # ~1.6 mm capitals, as printed on a KTP
    rows = [("Nama", name), ("Tempat/Tgl Lahir", birth), ("Jenis Kelamin", "PEREMPUAN"),
            ("Alamat", "JL. MAWAR NO. 12"), ("RT/RW", "003/007"), ("Kel/Desa", "SIDAREJA"),
            ("Kecamatan", "SIDAREJA"), ("Agama", "ISLAM"), ("Status Perkawinan", "BELUM KAWIN"),
            ("Pekerjaan", "KARYAWAN SWASTA"), ("Kewarganegaraan", "WNI"), ("Berlaku Hingga", "SEUMUR HIDUP")]
    y = mm(17)
    for label, value in rows:
        d.text((mm(4), y), label, font=small, fill=(20, 20, 20))
        d.text((mm(24), y), f": {value}", font=small, fill=(20, 20, 20))
        y += mm(2.85)
    # The photo: a grey face-ish block on red.
    px0, py0 = mm(63), mm(15)
    d.rectangle([px0, py0, px0 + mm(19), py0 + mm(25)], fill=(190, 40, 40))
    d.ellipse([px0 + mm(4), py0 + mm(4), px0 + mm(15), py0 + mm(19)], fill=(150, 120, 100))
    mask = Image.new("L", (w, h), 0)
    ImageDraw.Draw(mask).rounded_rectangle([0, 0, w - 1, h - 1], radius=int(mm(3)), fill=255)
    card.putalpha(mask)
    return card


EMPLOYERS = ["CHAN TAI MAN", "WONG SIU MING", "LEE KA YAN", "TAN AH KOW", "LIM MEI LING", "HO CHI KEUNG"]


def contract_fields(rng):
    employer = rng.choice(EMPLOYERS)
    salary = f"HKD {rng.randint(4700, 6200)}"
    start = f"{rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-2027"
    return employer, salary, start


def draw_page(rng, px_per_mm, employer, salary, start):
    """An A4 page of a work contract, 10 pt text, as printed; RGBA."""
    w, h = int(210 * px_per_mm), int(297 * px_per_mm)
    page = Image.new("RGB", (w, h), (246, 244, 238))
    d = ImageDraw.Draw(page)
    mm = lambda v: v * px_per_mm
    body = font("DejaVuSerif.ttf", mm(3.53))  # 10 pt
    d.text((w / 2, mm(20)), "STANDARD EMPLOYMENT CONTRACT", font=font("DejaVuSerif-Bold.ttf", mm(4.9)),
           fill=(10, 10, 10), anchor="mt")
    filler = ("The Employer shall provide the Helper with free and suitable accommodation and food "
              "and shall pay the wages in full at the end of each month ").split()
    y = mm(35)
    lines = [f"Employer: {employer}", f"Monthly wage: {salary}", f"Start of employment: {start}"]
    k = 0
    while y < h - mm(30):
        if k % 6 == 2 and lines:
            text = lines.pop(0)
        else:
            words = [filler[(k * 7 + i) % len(filler)] for i in range(12)]
            text = " ".join(words)
        d.text((mm(25), y), text, font=body, fill=(15, 15, 15))
        y += mm(5.2)
        k += 1
    page.putalpha(Image.new("L", (w, h), 255))
    return page


def camera_capture(rng, nprng, kind, fields):
    """A 12 MP camera JPEG of the document on a table; returns (jpeg bytes, document box in the frame)."""
    if kind == "ktp":
        frame_size = FRAME
        px_per_mm = FRAME[0] * rng.uniform(0.4, 0.6) / CARD_MM[0]
        card = draw_card(rng, px_per_mm, *fields)
    else:  # an A4 page, the phone held upright, the page filling most of the height
        frame_size = (FRAME[1], FRAME[0])
        px_per_mm = FRAME[0] * rng.uniform(0.8, 0.9) / 297
        card = draw_page(rng, px_per_mm, *fields)
    card = card.rotate(rng.uniform(-3, 3), resample=Image.BICUBIC, expand=True)
    # A wooden table: coarse grain and fine texture, which JPEG must spend bytes on.
    grain = nprng.normal(0, 22, (frame_size[1], frame_size[0], 1)) + nprng.normal(0, 14, (frame_size[1] // 8, 1, 1)).repeat(8, 0)
    frame = Image.fromarray(np.clip(np.array([120, 90, 60]) + grain, 0, 255).astype(np.uint8))
    x = (frame_size[0] - card.width) // 2 + rng.randint(-200, 200)
    y = (frame_size[1] - card.height) // 2 + rng.randint(-150, 150)
    frame.paste(card, (x, y), card)
    # Lit from one side, a little out of focus, sensor noise.
    light = Image.linear_gradient("L").rotate(rng.choice([0, 90, 180, 270])).resize(frame_size)
    shade = Image.new("RGB", frame_size, (0, 0, 0))
    frame = Image.composite(frame, Image.blend(frame, shade, 0.35), light.point(lambda v: 128 + v // 2))
    frame = frame.filter(ImageFilter.GaussianBlur(rng.uniform(1.0, 1.6)))
    # Sensor noise of an indoor shot on a cheap phone: per pixel, per channel.
    noisy = np.asarray(frame, dtype=np.float32) + nprng.normal(0, 6, (frame_size[1], frame_size[0], 3))
    frame = Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8))
    out = io.BytesIO()
    frame.save(out, "JPEG", quality=92)
    return out.getvalue(), (x, y, x + card.width, y + card.height)


def shrink(capture, max_side, max_bytes, qualities):
    """What the app does to a capture (Photos.kt + the core's photo plan)."""
    img = Image.open(io.BytesIO(capture))
    long_side = max(img.size)
    sample = 1
    while long_side // (sample * 2) >= max_side:
        sample *= 2
    if sample > 1:  # the decoder's subsampling: a box average
        img = img.reduce(sample)
    long_side = max(img.size)
    if long_side > max_side:
        scale = max_side / long_side
        img = img.resize((max(1, int(img.width * scale)), max(1, int(img.height * scale))), Image.BILINEAR)
    out = b""
    for q in qualities:
        buf = io.BytesIO()
        img.save(buf, "JPEG", quality=q)
        out = buf.getvalue()
        if len(out) <= max_bytes:
            break
    return out, img.size, q


def read_document(jpeg, box, frame_scale, frame_width):
    """Tesseract's reading of the document as an officer zooms in on it: the crop,
    scaled to the width it had in the camera's frame (so every plan is read at one zoom)."""
    img = Image.open(io.BytesIO(jpeg)).convert("L")
    x0, y0, x1, y1 = (int(v * frame_scale) for v in box)
    doc = img.crop((max(0, x0), max(0, y0), min(img.width, x1), min(img.height, y1)))
    zoom = 1 / frame_scale
    if zoom != 1:
        doc = doc.resize((int(doc.width * zoom), int(doc.height * zoom)), Image.BICUBIC)
    with tempfile.NamedTemporaryFile(suffix=".png") as f:
        doc.save(f.name)
        return subprocess.run(["tesseract", f.name, "-", "--psm", "6", "-l", "eng"],
                              capture_output=True, text=True, check=True,
                              env={**os.environ, "OMP_THREAD_LIMIT": "1"}).stdout


def distance(a, b):
    """Levenshtein distance."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def best_line_distance(text, want):
    """The fewest wrong characters of `want` in any stretch of one line of `text`."""
    best = len(want)
    for line in text.upper().splitlines():
        for start in range(0, max(1, len(line) - len(want) + 1)):
            for size in (len(want) - 1, len(want), len(want) + 1):
                best = min(best, distance(line[start:start + size], want))
    return best


def legible(kind, text, fields):
    """What an officer must read: on a KTP the NIK exactly and the name and birth date
    within one character; on a contract page the employer, wage and start date within one."""
    if kind == "ktp":
        nik, name, birth = fields
        digits = re.sub(r"[^0-9]", "", "\n".join(l for l in text.splitlines() if "NIK" in l.upper()
                                                 or len(re.sub(r"[^0-9]", "", l)) >= 12))
        return nik in digits and best_line_distance(text, name) <= 1 and best_line_distance(text, birth) <= 1
    employer, salary, start = fields
    return all(best_line_distance(text, want.upper()) <= 1 for want in
               (f"EMPLOYER: {employer}", f"MONTHLY WAGE: {salary}", f"START OF EMPLOYMENT: {start}"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cards", type=int, default=8, help="photos of each document")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--out", default=None, help="keep the shrunk pages here to look at")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    nprng = np.random.default_rng(args.seed)
    version = subprocess.run(["tesseract", "--version"], capture_output=True, text=True).stdout.split()[1]
    print(f"{args.cards} synthetic photos of each document (seed {args.seed}), read by Tesseract {version}")
    for kind, title, make in (("ktp", "KTP (NIK exact; name, birth date within 1 character)", card_fields),
                              ("page", "contract page, A4, 10 pt (employer, wage, start date within 1)", contract_fields)):
        docs = []
        for _ in range(args.cards):
            fields = make(rng)
            capture, box = camera_capture(rng, nprng, kind, fields)
            docs.append((fields, capture, box))
        print(f"\n{title}")
        print(f"{'plan':<40} {'median bytes':>12} {'max bytes':>10} {'legible':>8}")
        for label, plan in [("camera capture (no shrinking)", None)] + [(p[0], p) for p in PLANS]:
            sizes, ok = [], 0
            for i, (fields, capture, box) in enumerate(docs):
                frame_width = Image.open(io.BytesIO(capture)).width
                if plan is None:
                    jpeg, scale = capture, 1.0
                else:
                    jpeg, size, _q = shrink(capture, plan[1], plan[2], plan[3])
                    scale = size[0] / frame_width
                    if args.out:
                        os.makedirs(args.out, exist_ok=True)
                        with open(os.path.join(args.out, f"{kind}-{plan[1]}-{plan[2] // 1024}k-{i}.jpg"), "wb") as f:
                            f.write(jpeg)
                sizes.append(len(jpeg))
                ok += legible(kind, read_document(jpeg, box, scale, frame_width), fields)
            print(f"{label:<40} {statistics.median(sizes) / 1024:>9.0f} KB {max(sizes) / 1024:>7.0f} KB "
                  f"{ok:>4}/{len(docs)}", flush=True)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Draw the Postern package icons as PNG files (no image library needed).

    make-icons.py OUTDIR

writes
    OUTDIR/PACKAGE_ICON.PNG          64x64   (DSM 7 Package Center)
    OUTDIR/PACKAGE_ICON_256.PNG      256x256
    OUTDIR/ui/images/postern-N.png   N = 16 24 32 48 64 72 256 (desktop entry,
                                     "icon": "images/postern-{0}.png" in ui/config)

The icons are drawn from a vector description (rounded tile, envelope,
arched gate) at each size with 4x4 supersampling, so no binary image files
live in the repository and every size is sharp.  Output is deterministic.
"""
import math
import os
import struct
import sys
import zlib

SS = 4  # supersampling per axis

TOP = (0x2F, 0x7D, 0xC4)
BOTTOM = (0x17, 0x4A, 0x85)
WHITE = (0xFF, 0xFF, 0xFF)
FLAP = (0x1F, 0x5F, 0xA0)
GATE = (0xF2, 0xA9, 0x3B)


def in_round_rect(x, y, x0, y0, x1, y1, r):
    if x < x0 or x > x1 or y < y0 or y > y1:
        return False
    cx = min(max(x, x0 + r), x1 - r)
    cy = min(max(y, y0 + r), y1 - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def dist_segment(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def shade(x, y):
    """Colour and alpha of the icon at unit coordinates (x, y)."""
    if not in_round_rect(x, y, 0.04, 0.04, 0.96, 0.96, 0.2):
        return (0, 0, 0), 0.0
    t = (y - 0.04) / 0.92
    col = tuple(round(a + (b - a) * t) for a, b in zip(TOP, BOTTOM))
    # envelope
    if 0.17 <= x <= 0.83 and 0.28 <= y <= 0.74:
        col = WHITE
        if (dist_segment(x, y, 0.17, 0.28, 0.5, 0.53) < 0.025 or
                dist_segment(x, y, 0.83, 0.28, 0.5, 0.53) < 0.025):
            col = FLAP
    # small arched gate (a "postern") on the envelope's lower right
    gx0, gx1, gy_top, gy1 = 0.60, 0.80, 0.55, 0.86
    rad = (gx1 - gx0) / 2
    cx, cy = gx0 + rad, gy_top + rad
    inside_gate = (gx0 <= x <= gx1 and cy <= y <= gy1) or (math.hypot(x - cx, y - cy) <= rad and y < cy)
    if inside_gate:
        col = GATE
        # door opening
        ir = rad * 0.45
        if (cx - ir <= x <= cx + ir and cy <= y <= gy1) or (math.hypot(x - cx, y - cy) <= ir and y < cy):
            col = BOTTOM
    return col, 1.0


def render(size):
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0
        for px in range(size):
            acc = [0.0, 0.0, 0.0]
            alpha = 0.0
            for sy in range(SS):
                for sx in range(SS):
                    x = (px + (sx + 0.5) / SS) / size
                    y = (py + (sy + 0.5) / SS) / size
                    c, a = shade(x, y)
                    alpha += a
                    for i in range(3):
                        acc[i] += c[i] * a
            n = SS * SS
            if alpha > 0:
                rgb = [round(acc[i] / alpha) for i in range(3)]
            else:
                rgb = [0, 0, 0]
            row += bytes(rgb + [round(255 * alpha / n)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size, raw):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data +
                struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    return (b"\x89PNG\r\n\x1a\n" +
            chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) +
            chunk(b"IEND", b""))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make-icons.py OUTDIR")
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "ui", "images"), exist_ok=True)
    cache = {}
    for size in (16, 24, 32, 48, 64, 72, 256):
        cache[size] = png(size, render(size))
        with open(os.path.join(out, "ui", "images", "postern-%d.png" % size), "wb") as f:
            f.write(cache[size])
    with open(os.path.join(out, "PACKAGE_ICON.PNG"), "wb") as f:
        f.write(cache[64])
    with open(os.path.join(out, "PACKAGE_ICON_256.PNG"), "wb") as f:
        f.write(cache[256])


if __name__ == "__main__":
    main()

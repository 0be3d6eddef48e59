#!/usr/bin/env python3
"""Reads the PNGs `meshsim view --screenshot` writes (8-bit RGB or RGBA, not interlaced),
with the standard library only, for viz_tests.sh.

  png_probe.py pixel FILE X Y            prints "R G B" of one pixel
  png_probe.py busy FILE X0 Y0 W H       prints the share of pixels in a rectangle unlike its top-left one
  png_probe.py diff A B X0 Y0 W H        prints the share of pixels that differ in a rectangle
"""
import struct
import sys
import zlib


def read_png(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        sys.exit(f"{path}: not a PNG")
    pos, idat, width, height, channels = 8, b"", 0, 0, 3
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (2, 6) or interlace:
                sys.exit(f"{path}: only 8-bit RGB/RGBA, not interlaced")
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - channels] if i >= channels else 0
            b = prev[i]
            c = prev[i - channels] if i >= channels else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    return width, height, channels, rows


def pixel(img, x, y):
    _, _, ch, rows = img
    return tuple(rows[y][x * ch:x * ch + 3])


def main():
    cmd = sys.argv[1]
    if cmd == "pixel":
        img = read_png(sys.argv[2])
        print(*pixel(img, int(sys.argv[3]), int(sys.argv[4])))
    elif cmd == "busy":
        img = read_png(sys.argv[2])
        x0, y0, w, h = (int(float(v)) for v in sys.argv[3:7])
        bg = pixel(img, x0, y0)
        n = sum(pixel(img, x, y) != bg for y in range(y0, y0 + h) for x in range(x0, x0 + w))
        print(f"{n / max(1, w * h):.4f}")
    elif cmd == "diff":
        a, b = read_png(sys.argv[2]), read_png(sys.argv[3])
        x0, y0, w, h = (int(float(v)) for v in sys.argv[4:8])
        n = sum(pixel(a, x, y) != pixel(b, x, y) for y in range(y0, y0 + h) for x in range(x0, x0 + w))
        print(f"{n / max(1, w * h):.4f}")
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

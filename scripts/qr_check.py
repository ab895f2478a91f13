#!/usr/bin/env python3
"""Reads a QR code back, independently of Sources/Switchboard/Web/qrcode.js, to prove what the
host page draws scans: the format word must be a valid BCH word for level M, the module count
must match the standard's raw-module formula, every block's Reed-Solomon syndromes must be
zero, and the byte-mode payload is returned.

Usage as a library: `decode(matrix)` with rows of booleans (true = dark), no quiet zone.
From the shell: one JSON matrix per line on stdin, one decoded text per line out;
scripts/browser_chsh_test.py feeds it matrices the page drew.
"""

import json
import sys

# Level M per version: (EC codewords per block, [(blocks, data codewords), ...]).
LEVEL_M = {
    1: (10, [(1, 16)]), 2: (16, [(1, 28)]), 3: (26, [(1, 44)]), 4: (18, [(2, 32)]), 5: (24, [(2, 43)]),
    6: (16, [(4, 27)]), 7: (18, [(4, 31)]), 8: (22, [(2, 38), (2, 39)]), 9: (22, [(3, 36), (2, 37)]),
    10: (26, [(4, 43), (1, 44)]),
}


def alignment_centres(version):
    """Alignment pattern centres from the standard's spacing rule (not a copied table)."""
    if version == 1:
        return []
    count = version // 7 + 2
    size = version * 4 + 17
    step = -(-(version * 4 + 4) // (count * 2 - 2)) * 2
    return [6] + [size - 7 - i * step for i in range(count - 1)][::-1]


def raw_data_modules(version):
    """The standard's count of modules left for data and error correction."""
    result = (16 * version + 128) * version + 64
    if version >= 2:
        align = version // 7 + 2
        result -= (25 * align - 10) * align - 55
        if version >= 7:
            result -= 36
    return result


def gf_mul(a, b):
    result = 0
    while b:
        if b & 1:
            result ^= a
        a <<= 1
        if a & 0x100:
            a ^= 0x11D
        b >>= 1
    return result


def gf_pow(a, n):
    result = 1
    for _ in range(n):
        result = gf_mul(result, a)
    return result


def bch_format(data):
    value = data << 10
    for bit in range(14, 9, -1):
        if value & (1 << bit):
            value ^= 0x537 << (bit - 10)
    return ((data << 10) | value) ^ 0x5412


def function_modules(version):
    size = version * 4 + 17
    taken = [[False] * size for _ in range(size)]

    def box(top, left, height, width):
        for r in range(max(top, 0), min(top + height, size)):
            for c in range(max(left, 0), min(left + width, size)):
                taken[r][c] = True

    box(0, 0, 9, 9)             # finder, separator, format
    box(0, size - 8, 9, 8)
    box(size - 8, 0, 8, 9)
    for i in range(size):
        taken[6][i] = taken[i][6] = True
    centres = alignment_centres(version)
    for r in centres:
        for c in centres:
            if (r, c) in ((6, 6), (6, size - 7), (size - 7, 6)):
                continue
            box(r - 2, c - 2, 5, 5)
    if version >= 7:
        box(0, size - 11, 6, 3)
        box(size - 11, 0, 3, 6)
    return taken


MASKS = [
    lambda r, c: (r + c) % 2 == 0, lambda r, c: r % 2 == 0, lambda r, c: c % 3 == 0, lambda r, c: (r + c) % 3 == 0,
    lambda r, c: (r // 2 + c // 3) % 2 == 0, lambda r, c: (r * c) % 2 + (r * c) % 3 == 0,
    lambda r, c: ((r * c) % 2 + (r * c) % 3) % 2 == 0, lambda r, c: ((r + c) % 2 + (r * c) % 3) % 2 == 0,
]


def decode(matrix):
    size = len(matrix)
    if (size - 17) % 4 or any(len(row) != size for row in matrix):
        raise ValueError(f"not a QR code size: {size}")
    version = (size - 17) // 4
    if version not in LEVEL_M:
        raise ValueError(f"version {version} is outside 1-10")
    # the first copy of the format word, bit 14 first: column 8 downward then row 8 leftward
    positions = [(8, c) for c in range(0, 6)] + [(8, 7), (8, 8), (7, 8)] + [(r, 8) for r in range(5, -1, -1)]
    word = 0
    for r, c in positions:
        word = (word << 1) | (1 if matrix[r][c] else 0)
    second = [(size - 1 - i, 8) for i in range(7)] + [(8, size - 8 + i) for i in range(8)]
    word2 = 0
    for r, c in second:
        word2 = (word2 << 1) | (1 if matrix[r][c] else 0)
    if word != word2:
        raise ValueError("the two copies of the format word differ")
    candidates = {bch_format(data): data for data in range(32)}
    if word not in candidates:
        raise ValueError(f"format word {word:015b} is not a valid BCH word")
    level, mask = candidates[word] >> 3, candidates[word] & 7
    if level != 0:
        raise ValueError(f"error-correction level bits {level:02b}, expected M (00)")
    if not matrix[size - 8][8]:
        raise ValueError("the dark module is light")
    taken = function_modules(version)
    free = sum(not taken[r][c] for r in range(size) for c in range(size))
    if free != raw_data_modules(version):
        raise ValueError(f"{free} data modules, the standard says {raw_data_modules(version)}")
    ec, groups = LEVEL_M[version]
    total = sum(n * (d + ec) for n, d in groups)
    if total != raw_data_modules(version) // 8:
        raise ValueError("the block table does not fill the symbol")
    bits = []
    column = size - 1
    upward = True
    while column > 0:
        if column == 6:
            column -= 1
        rows = range(size - 1, -1, -1) if upward else range(size)
        for r in rows:
            for c in (column, column - 1):
                if not taken[r][c]:
                    bits.append(int(matrix[r][c]) ^ int(MASKS[mask](r, c)))
        upward = not upward
        column -= 2
    codewords = [int("".join(map(str, bits[i:i + 8])), 2) for i in range(0, total * 8, 8)]
    blocks = [[] for n, d in groups for _ in range(n)]
    sizes = [d for n, d in groups for _ in range(n)]
    index = 0
    for i in range(max(sizes)):
        for b, length in enumerate(sizes):
            if i < length:
                blocks[b].append(codewords[index])
                index += 1
    for _ in range(ec):
        for block in blocks:
            block.append(codewords[index])
            index += 1
    for number, block in enumerate(blocks):
        for i in range(ec):
            alpha = gf_pow(2, i)
            syndrome = 0
            for value in block:
                syndrome = gf_mul(syndrome, alpha) ^ value
            if syndrome:
                raise ValueError(f"block {number}: Reed-Solomon syndrome {i} is {syndrome}")
    data = [value for block, length in zip(blocks, sizes) for value in block[:length]]
    stream = "".join(f"{value:08b}" for value in data)
    if stream[:4] != "0100":
        raise ValueError(f"mode {stream[:4]}, expected byte mode 0100")
    count_bits = 8 if version < 10 else 16
    length = int(stream[4:4 + count_bits], 2)
    start = 4 + count_bits
    payload = bytes(int(stream[start + i * 8:start + i * 8 + 8], 2) for i in range(length))
    return payload.decode("utf-8")


if __name__ == "__main__":
    for line in sys.stdin:
        if line.strip():
            print(decode(json.loads(line)))

// A QR code encoder for short links (ISO/IEC 18004): byte mode, error correction level M,
// versions 1–10 (up to 213 bytes), the mask chosen by the standard's penalty rules. Written
// for the CHSH host page, which shows the join link as a code phones can scan; it makes no
// request and needs no library. `qrMatrix(text)` answers rows of booleans (true = dark)
// without the quiet zone; `qrSvg(text)` draws it with a four-module quiet zone.

// Per version at level M: error-correction codewords per block, and the blocks as
// [count, data codewords] groups.
const LEVEL_M = [null,
  [10, [[1, 16]]], [16, [[1, 28]]], [26, [[1, 44]]], [18, [[2, 32]]], [24, [[2, 43]]],
  [16, [[4, 27]]], [18, [[4, 31]]], [22, [[2, 38], [2, 39]]], [22, [[3, 36], [2, 37]]], [26, [[4, 43], [1, 44]]]];
const ALIGNMENT = [null, [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50]];

function dataCapacity(version) {
  return LEVEL_M[version][1].reduce((sum, [count, size]) => sum + count * size, 0);
}

// GF(256) with the QR polynomial x⁸ + x⁴ + x³ + x² + 1.
function gfMultiply(a, b) {
  let product = 0;
  for (let bit = 7; bit >= 0; bit--) {
    product = (product << 1) ^ ((product >>> 7) * 0x11d);
    product ^= ((b >>> bit) & 1) * a;
  }
  return product;
}

// The coefficients of ∏(x − αⁱ), i < degree, without the leading 1.
function generator(degree) {
  const coefficients = new Array(degree).fill(0);
  coefficients[degree - 1] = 1;
  let root = 1;
  for (let i = 0; i < degree; i++) {
    for (let j = 0; j < degree; j++) {
      coefficients[j] = gfMultiply(coefficients[j], root);
      if (j + 1 < degree) coefficients[j] ^= coefficients[j + 1];
    }
    root = gfMultiply(root, 2);
  }
  return coefficients;
}

function errorCorrection(block, degree) {
  const divisor = generator(degree);
  const remainder = new Array(degree).fill(0);
  for (const byte of block) {
    const factor = byte ^ remainder.shift();
    remainder.push(0);
    divisor.forEach((coefficient, i) => { remainder[i] ^= gfMultiply(coefficient, factor); });
  }
  return remainder;
}

// Mode, length, bytes, terminator and padding, split into blocks, each followed by its
// error correction, interleaved as the standard orders them.
function codewords(bytes, version) {
  const bits = [];
  const put = (value, length) => { for (let i = length - 1; i >= 0; i--) bits.push((value >>> i) & 1); };
  const capacity = dataCapacity(version) * 8;
  put(0b0100, 4);
  put(bytes.length, version < 10 ? 8 : 16);
  for (const byte of bytes) put(byte, 8);
  put(0, Math.min(4, capacity - bits.length));
  put(0, (8 - bits.length % 8) % 8);
  for (let pad = 0xec; bits.length < capacity; pad ^= 0xec ^ 0x11) put(pad, 8);
  const data = [];
  for (let i = 0; i < bits.length; i += 8) data.push(bits.slice(i, i + 8).reduce((byte, bit) => (byte << 1) | bit, 0));
  const [degree, groups] = LEVEL_M[version];
  const blocks = [];
  let offset = 0;
  for (const [count, size] of groups) {
    for (let i = 0; i < count; i++) { blocks.push(data.slice(offset, offset + size)); offset += size; }
  }
  const corrections = blocks.map((block) => errorCorrection(block, degree));
  const result = [];
  const longest = Math.max(...blocks.map((block) => block.length));
  for (let i = 0; i < longest; i++) for (const block of blocks) if (i < block.length) result.push(block[i]);
  for (let i = 0; i < degree; i++) for (const correction of corrections) result.push(correction[i]);
  return result;
}

// The BCH-protected format (level M = 00, the mask) and version words.
function formatBits(mask) {
  const data = mask;
  let remainder = data;
  for (let i = 0; i < 10; i++) remainder = (remainder << 1) ^ ((remainder >>> 9) * 0x537);
  return ((data << 10) | remainder) ^ 0x5412;
}

function versionBits(version) {
  let remainder = version;
  for (let i = 0; i < 12; i++) remainder = (remainder << 1) ^ ((remainder >>> 11) * 0x1f25);
  return (version << 12) | remainder;
}

const MASKS = [
  (r, c) => (r + c) % 2 === 0, (r) => r % 2 === 0, (r, c) => c % 3 === 0, (r, c) => (r + c) % 3 === 0,
  (r, c) => (Math.floor(r / 2) + Math.floor(c / 3)) % 2 === 0, (r, c) => ((r * c) % 2) + ((r * c) % 3) === 0,
  (r, c) => (((r * c) % 2) + ((r * c) % 3)) % 2 === 0, (r, c) => (((r + c) % 2) + ((r * c) % 3)) % 2 === 0,
];

// The function patterns (finders, separators, timing, alignment, dark module, reserved
// format and version areas) of a version, with which modules they take.
function skeleton(version) {
  const size = version * 4 + 17;
  const dark = Array.from({ length: size }, () => new Array(size).fill(false));
  const reserved = Array.from({ length: size }, () => new Array(size).fill(false));
  const set = (row, column, value) => { dark[row][column] = value; reserved[row][column] = true; };
  for (const [top, left] of [[0, 0], [0, size - 7], [size - 7, 0]]) {
    for (let r = -1; r <= 7; r++) for (let c = -1; c <= 7; c++) {
      const row = top + r, column = left + c;
      if (row < 0 || column < 0 || row >= size || column >= size) continue;
      const ring = Math.max(Math.abs(r - 3), Math.abs(c - 3));
      set(row, column, ring !== 2 && ring !== 4);
    }
  }
  for (let i = 8; i < size - 8; i++) { set(6, i, i % 2 === 0); set(i, 6, i % 2 === 0); }
  const centres = ALIGNMENT[version];
  const last = centres.length - 1;
  centres.forEach((row, i) => centres.forEach((column, j) => {
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return; // under a finder
    for (let r = -2; r <= 2; r++) for (let c = -2; c <= 2; c++) set(row + r, column + c, Math.max(Math.abs(r), Math.abs(c)) !== 1);
  }));
  for (let i = 0; i < 9; i++) { reserved[8][i] = reserved[i][8] = true; }
  for (let i = 0; i < 8; i++) { reserved[8][size - 1 - i] = reserved[size - 1 - i][8] = true; }
  set(size - 8, 8, true);
  if (version >= 7) {
    const bits = versionBits(version);
    for (let i = 0; i < 18; i++) {
      const bit = ((bits >>> i) & 1) === 1, a = size - 11 + (i % 3), b = Math.floor(i / 3);
      set(b, a, bit);
      set(a, b, bit);
    }
  }
  return { size, dark, reserved };
}

function placeFormat(dark, size, mask) {
  const bits = formatBits(mask);
  const bit = (i) => ((bits >>> i) & 1) === 1;
  for (let i = 0; i <= 5; i++) dark[i][8] = bit(i);
  dark[7][8] = bit(6);
  dark[8][8] = bit(7);
  dark[8][7] = bit(8);
  for (let i = 9; i < 15; i++) dark[8][14 - i] = bit(i);
  for (let i = 0; i < 8; i++) dark[8][size - 1 - i] = bit(i);
  for (let i = 8; i < 15; i++) dark[size - 15 + i][8] = bit(i);
  dark[size - 8][8] = true;
}

// The standard's four penalty rules: runs, 2×2 blocks, finder look-alikes, dark balance.
function penalty(dark, size) {
  let score = 0;
  const lines = [];
  for (let i = 0; i < size; i++) {
    lines.push(dark[i]);
    lines.push(dark.map((row) => row[i]));
  }
  for (const line of lines) {
    let run = 1;
    for (let i = 1; i <= size; i++) {
      if (i < size && line[i] === line[i - 1]) { run++; continue; }
      if (run >= 5) score += run - 2;
      run = 1;
    }
    const text = line.map((value) => (value ? "1" : "0")).join("");
    for (const pattern of ["10111010000", "00001011101"]) {
      for (let at = text.indexOf(pattern); at !== -1; at = text.indexOf(pattern, at + 1)) score += 40;
    }
  }
  for (let r = 0; r + 1 < size; r++) for (let c = 0; c + 1 < size; c++) {
    const value = dark[r][c];
    if (dark[r][c + 1] === value && dark[r + 1][c] === value && dark[r + 1][c + 1] === value) score += 3;
  }
  const darkCount = dark.reduce((sum, row) => sum + row.filter(Boolean).length, 0);
  score += Math.floor(Math.abs(darkCount * 20 - size * size * 10) / (size * size)) * 10;
  return score;
}

/** The QR code of `text` (UTF-8) as rows of booleans, true for dark; throws past 213 bytes. */
export function qrMatrix(text) {
  const bytes = [...new TextEncoder().encode(text)];
  let version = 1;
  while (version <= 10 && 4 + (version < 10 ? 8 : 16) + bytes.length * 8 > dataCapacity(version) * 8) version++;
  if (version > 10) throw new RangeError("too long for a QR code of version 10");
  const { size, dark: base, reserved } = skeleton(version);
  const stream = codewords(bytes, version);
  const data = base.map((row) => row.slice());
  let index = 0;
  for (let right = size - 1; right >= 1; right -= 2) {
    if (right === 6) right = 5;
    const upward = ((right + 1) & 2) === 0;
    for (let step = 0; step < size; step++) {
      const row = upward ? size - 1 - step : step;
      for (const column of [right, right - 1]) {
        if (reserved[row][column]) continue;
        const bit = index < stream.length * 8 && ((stream[index >>> 3] >>> (7 - (index & 7))) & 1) === 1;
        data[row][column] = bit;
        index++;
      }
    }
  }
  let best = null;
  MASKS.forEach((mask, number) => {
    const candidate = data.map((row, r) => row.map((value, c) => (reserved[r][c] ? value : value !== mask(r, c))));
    placeFormat(candidate, size, number);
    const score = penalty(candidate, size);
    if (!best || score < best.score) best = { score, matrix: candidate };
  });
  return best.matrix;
}

/** An SVG element drawing the QR code of `text`, with a four-module quiet zone. */
export function qrSvg(text, title = text) {
  const matrix = qrMatrix(text);
  const size = matrix.length + 8;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("shape-rendering", "crispEdges");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", `QR code: ${title}`);
  let path = "";
  matrix.forEach((row, r) => row.forEach((value, c) => { if (value) path += `M${c + 4} ${r + 4}h1v1h-1z`; }));
  const background = document.createElementNS(ns, "rect");
  background.setAttribute("width", String(size));
  background.setAttribute("height", String(size));
  background.setAttribute("fill", "#fff");
  const modules = document.createElementNS(ns, "path");
  modules.setAttribute("d", path);
  modules.setAttribute("fill", "#000");
  svg.append(background, modules);
  return svg;
}

/**
 * A MAT v5 file with one compressed matrix element, tagged as scipy's `savemat` writes it: what the Cars3D tests
 * write for broken-file cases and the Cars3D benchmark for its full-size stand-in.
 */
import { zlibSync } from 'fflate';

/** A data element: type and byte count, then the payload, padded to 8 bytes unless it is the outer element. */
function element(type: number, payload: Uint8Array, padTo8 = true): Uint8Array {
  const out = new Uint8Array(8 + (padTo8 ? Math.ceil(payload.length / 8) * 8 : payload.length));
  new DataView(out.buffer).setUint32(0, type, true);
  new DataView(out.buffer).setUint32(4, payload.length, true);
  out.set(payload, 8);
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/**
 * The bytes of a MAT file holding one array `name` of MATLAB class `cls` (9: uint8), `dims` in MATLAB order, whose
 * data element has type `type` (2: miUINT8) and bytes `data` (column-major), deflated at zlib level 6 as scipy does.
 */
export function matV5File(name: string, cls: number, dims: readonly number[], type: number, data: Uint8Array): Uint8Array {
  const header = new Uint8Array(128).fill(32);
  header.set(new TextEncoder().encode('MATLAB 5.0 MAT-file, stand-in'));
  new DataView(header.buffer).setUint16(124, 0x0100, true);
  header.set([73, 77], 126); // 'IM': little-endian
  const flags = new Uint8Array(8);
  new DataView(flags.buffer).setUint32(0, cls, true);
  const dimBytes = new Uint8Array(dims.length * 4);
  dims.forEach((d, i) => new DataView(dimBytes.buffer).setInt32(i * 4, d, true));
  const matrix = element(14, concat([element(6, flags), element(5, dimBytes), element(1, new TextEncoder().encode(name)), element(type, data)]));
  return concat([header, element(15, zlibSync(matrix, { level: 6 }), false)]);
}

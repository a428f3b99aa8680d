/**
 * guest/sparse-elf.mjs: the guest kernel's PT_LOAD segments are split so that QEMU never writes the
 * all-zero and all-int3 pages into guest RAM (see the script's header).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const PAGE = 4096;

interface Phdr { type: number; flags: number; offset: bigint; vaddr: bigint; paddr: bigint; filesz: bigint; memsz: bigint; align: bigint }
interface Sparse { elf: Buffer; pagesBefore: number; pagesAfter: number; segments: number }

async function tool(): Promise<{ sparseElf: (b: Buffer) => Sparse }> {
  return import(new URL('guest/sparse-elf.mjs', `file://${REPO}`).href) as Promise<{ sparseElf: (b: Buffer) => Sparse }>;
}

function phdrs(buf: Buffer): Phdr[] {
  const off = Number(buf.readBigUInt64LE(0x20));
  const n = buf.readUInt16LE(0x38);
  return Array.from({ length: n }, (_, i) => {
    const o = off + i * 56;
    return {
      type: buf.readUInt32LE(o), flags: buf.readUInt32LE(o + 4), offset: buf.readBigUInt64LE(o + 8), vaddr: buf.readBigUInt64LE(o + 16),
      paddr: buf.readBigUInt64LE(o + 24), filesz: buf.readBigUInt64LE(o + 32), memsz: buf.readBigUInt64LE(o + 40), align: buf.readBigUInt64LE(o + 48),
    };
  });
}

/** A 64-bit ELF with one PT_LOAD (pages: data, zeros, int3, data, a zero partial page, then a bss tail) and a PT_NOTE. */
function sample(): Buffer {
  const dataAt = 2 * PAGE;
  const buf = Buffer.alloc(dataAt + 4 * PAGE + 100);
  buf.writeUInt32BE(0x7f454c46, 0);
  buf[4] = 2; buf[5] = 1; buf[6] = 1;
  buf.writeBigUInt64LE(64n, 0x20);
  buf.writeUInt16LE(56, 0x36);
  buf.writeUInt16LE(2, 0x38);
  const ph = (i: number, p: Phdr) => {
    const o = 64 + i * 56;
    buf.writeUInt32LE(p.type, o); buf.writeUInt32LE(p.flags, o + 4); buf.writeBigUInt64LE(p.offset, o + 8); buf.writeBigUInt64LE(p.vaddr, o + 16);
    buf.writeBigUInt64LE(p.paddr, o + 24); buf.writeBigUInt64LE(p.filesz, o + 32); buf.writeBigUInt64LE(p.memsz, o + 40); buf.writeBigUInt64LE(p.align, o + 48);
  };
  ph(0, { type: 1, flags: 5, offset: BigInt(dataAt), vaddr: 0xffffffff81000000n, paddr: 0x1000000n, filesz: BigInt(4 * PAGE + 100), memsz: BigInt(8 * PAGE), align: 0x200000n });
  ph(1, { type: 4, flags: 4, offset: 1000n, vaddr: 0x2000000n, paddr: 0x2000000n, filesz: 16n, memsz: 16n, align: 4n });
  buf.fill(0x11, dataAt, dataAt + PAGE);
  buf.fill(0xcc, dataAt + 2 * PAGE, dataAt + 3 * PAGE);
  buf.fill(0x22, dataAt + 3 * PAGE, dataAt + 4 * PAGE - 1);
  buf.fill(0xab, 1000, 1016);
  return buf;
}

test('a PT_LOAD becomes one segment per run of pages with content; zero and int3 pages and the bss tail are left out', async () => {
  const { sparseElf } = await tool();
  const src = sample();
  const r = sparseElf(src);
  assert.deepEqual(r.elf.subarray(0, 0x20), src.subarray(0, 0x20), 'the identification and entry stay');
  assert.deepEqual(r.elf.subarray(0x40, src.length), src.subarray(0x40), 'every byte after the ELF header is where it was');
  const ps = phdrs(r.elf);
  assert.equal(ps.length, 3);
  const [a, b, note] = ps as [Phdr, Phdr, Phdr];
  assert.deepEqual([a.type, a.offset, a.paddr, a.vaddr, a.filesz, a.memsz, a.flags], [1, 2n * 4096n, 0x1000000n, 0xffffffff81000000n, 4096n, 4096n, 5]);
  assert.deepEqual([b.type, b.offset, b.paddr, b.vaddr, b.filesz, b.memsz, b.flags], [1, 5n * 4096n, 0x1003000n, 0xffffffff81003000n, 4096n, 4096n, 5]);
  assert.deepEqual([note.type, note.offset, note.filesz], [4, 1000n, 16n], 'the PVH note is kept');
  assert.equal(r.pagesBefore, 8);
  assert.equal(r.pagesAfter, 2);
});

test('files that are not 64-bit little-endian ELF are refused', async () => {
  const { sparseElf } = await tool();
  assert.throws(() => sparseElf(Buffer.from('#!/bin/sh\necho not an elf\n'.padEnd(80))), /not an ELF/);
  const be = sample();
  be[5] = 2;
  assert.throws(() => sparseElf(be), /little-endian/);
  const short = sample();
  short.writeBigUInt64LE(1n << 40n, 64 + 8); // PT_LOAD offset past the end of the file
  assert.throws(() => sparseElf(short), /past the end/);
});

test('the guest kernel QEMU boots loads no page that is all zeros or all int3', { skip: !fs.existsSync(path.join(REPO, 'guest/out/vmlinux')) && 'no guest kernel built' }, () => {
  const elf = fs.readFileSync(path.join(REPO, 'guest/out/vmlinux'));
  const loads = phdrs(elf).filter((p) => p.type === 1);
  assert.ok(loads.length > 4, `${loads.length} PT_LOAD segments: the build did not run guest/sparse-elf.mjs`);
  let pages = 0;
  for (const p of loads) {
    assert.equal(p.filesz, p.memsz, 'no zero-filled tail');
    for (let at = Number(p.offset); at < Number(p.offset + p.filesz); at += PAGE) {
      const pg = elf.subarray(at, Math.min(at + PAGE, Number(p.offset + p.filesz)));
      assert.ok(pg.some((x) => x !== 0) && pg.some((x) => x !== 0xcc), `empty page at file offset ${at}`);
      pages++;
    }
  }
  assert.ok(pages > 200, `${pages} pages: the kernel text is there`);
});

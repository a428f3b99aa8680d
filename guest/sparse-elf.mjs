#!/usr/bin/env node
// Rewrites the guest kernel's ELF program headers so that QEMU loads only the pages that hold
// something: node guest/sparse-elf.mjs VMLINUX (in place; run by guest/build-kernel.sh).
//
// QEMU boots the ELF vmlinux (PVH) by copying each PT_LOAD segment into guest RAM, and zero-fills
// the part of a segment past its file contents. Guest RAM is a memfd shared with virtiofsd, so every
// page written there stays allocated on the host for the VM's lifetime, and KSM cannot merge it.
// The x86-64 kernel image pads its sections to 2 MiB boundaries (entry text, rodata, data) with
// int3 bytes, and carries zero-initialised tables in .data (the printk ring, early page tables):
// about 1,700 of its 2,700 loaded pages were all zero or all int3, ~6.8 MiB per VM.
//
// Each PT_LOAD is split into one segment per run of pages with content; runs of all-zero or
// all-0xcc pages, and the zero-filled tail (bss), become holes that QEMU never writes. A fresh VM's
// RAM reads as zeros, which is what the kernel expects of them: it clears .bss and .brk itself
// before use, and nothing executes or reads the int3 padding. (The guest never reboots in place:
// QEMU runs with -no-reboot.) The kernel's own view of its layout (linker symbols) is unchanged.
// The new program header table is appended to the file; the section headers stay as they are.
import fs from 'node:fs';

const PAGE = 4096;
const PT_LOAD = 1;
const PHDR_SIZE = 56;

function usage(msg) {
  process.stderr.write(`sparse-elf: ${msg}\nusage: node guest/sparse-elf.mjs VMLINUX\n`);
  process.exit(2);
}

/** Whether bytes [start, end) of buf are all `b`. */
function all(buf, start, end, b) {
  for (let i = start; i < end; i++) if (buf[i] !== b) return false;
  return true;
}

function readPhdr(buf, off) {
  return {
    type: buf.readUInt32LE(off), flags: buf.readUInt32LE(off + 4),
    offset: buf.readBigUInt64LE(off + 8), vaddr: buf.readBigUInt64LE(off + 16), paddr: buf.readBigUInt64LE(off + 24),
    filesz: buf.readBigUInt64LE(off + 32), memsz: buf.readBigUInt64LE(off + 40), align: buf.readBigUInt64LE(off + 48),
  };
}

function writePhdr(buf, off, p) {
  buf.writeUInt32LE(p.type, off); buf.writeUInt32LE(p.flags, off + 4);
  buf.writeBigUInt64LE(p.offset, off + 8); buf.writeBigUInt64LE(p.vaddr, off + 16); buf.writeBigUInt64LE(p.paddr, off + 24);
  buf.writeBigUInt64LE(p.filesz, off + 32); buf.writeBigUInt64LE(p.memsz, off + 40); buf.writeBigUInt64LE(p.align, off + 48);
}

/** The runs of pages of a PT_LOAD that hold something other than all zeros or all int3. */
export function contentRuns(buf, p) {
  const start = Number(p.offset);
  const size = Number(p.filesz);
  if (start + size > buf.length) throw new Error(`segment at file offset ${start} runs past the end of the file`);
  if (Number(p.paddr) % PAGE !== 0 || start % PAGE !== 0) return [{ from: 0, to: size }]; // not page-aligned: keep whole
  const runs = [];
  for (let at = 0; at < size; at += PAGE) {
    const end = Math.min(at + PAGE, size);
    const empty = all(buf, start + at, start + end, 0) || all(buf, start + at, start + end, 0xcc);
    if (empty) continue;
    const last = runs[runs.length - 1];
    if (last && last.to === at) last.to = end;
    else runs.push({ from: at, to: end });
  }
  return runs;
}

/** The rewritten ELF: the same bytes plus a new program header table at the end. */
export function sparseElf(buf) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file');
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error('not a 64-bit little-endian ELF file');
  const phoff = Number(buf.readBigUInt64LE(0x20));
  const phentsize = buf.readUInt16LE(0x36);
  const phnum = buf.readUInt16LE(0x38);
  if (phentsize !== PHDR_SIZE) throw new Error(`unexpected program header size ${phentsize}`);
  const out = [];
  let before = 0;
  let after = 0;
  for (let i = 0; i < phnum; i++) {
    const p = readPhdr(buf, phoff + i * PHDR_SIZE);
    if (p.type !== PT_LOAD) {
      out.push(p);
      continue;
    }
    before += Math.ceil(Number(p.memsz) / PAGE);
    for (const r of contentRuns(buf, p)) {
      const d = BigInt(r.from);
      const len = BigInt(r.to - r.from);
      out.push({ ...p, offset: p.offset + d, vaddr: p.vaddr + d, paddr: p.paddr + d, filesz: len, memsz: len, align: BigInt(PAGE) });
      after += Math.ceil((r.to - r.from) / PAGE);
    }
  }
  if (out.length > 0xffff) throw new Error('too many segments');
  const tableAt = Math.ceil(buf.length / 8) * 8;
  const res = Buffer.alloc(tableAt + out.length * PHDR_SIZE);
  buf.copy(res);
  out.forEach((p, i) => writePhdr(res, tableAt + i * PHDR_SIZE, p));
  res.writeBigUInt64LE(BigInt(tableAt), 0x20);
  res.writeUInt16LE(out.length, 0x38);
  return { elf: res, pagesBefore: before, pagesAfter: after, segments: out.filter((p) => p.type === PT_LOAD).length };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2];
  if (!file || process.argv.length !== 3) usage('one argument expected');
  let r;
  try {
    r = sparseElf(fs.readFileSync(file));
  } catch (err) {
    usage(`${file}: ${err.message}`);
  }
  const tmp = `${file}.sparse.tmp`;
  fs.writeFileSync(tmp, r.elf, { mode: fs.statSync(file).mode & 0o777 });
  fs.renameSync(tmp, file);
  process.stderr.write(`sparse-elf: ${file}: QEMU loads ${r.pagesAfter} of ${r.pagesBefore} pages (${r.segments} segments)\n`);
}

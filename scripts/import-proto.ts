// Copies the Kubernetes 1.32 protobuf IDL (an include root of generated.proto files) into
// fixtures/k8s/proto/, where server/protobuf.ts loads it to decode protobuf request bodies.
// Run: npx tsx scripts/import-proto.ts [--from ../shared/data] [--kubectl /path/to/kubectl-1.32]
//
// The .proto files say nothing about the Go side of each field (pointer or value, omitempty
// or not), yet that decides what Go's JSON encoder writes for an empty field. With --kubectl,
// those facts are read from the type descriptors that a Go 1.32 kubectl binary carries for
// reflection, and written to fixtures/k8s/proto/go-fields.json.

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fixturesDir, repoRoot } from '../model/fixtures.js';

// Subtrees of the include root that kemu decodes; anything else upstream ships is left out.
const KEEP = ['k8s.io/api', 'k8s.io/apimachinery', 'k8s.io/apiextensions-apiserver'];

const GO_FIELDS_NOTE = `
Added by kemu (scripts/import-proto.ts): go-fields.json, derived data, not an upstream file.
For each proto message with a Go struct in a kubectl v1.32 binary (read from its reflection
type descriptors): { "<proto package>.<Message>": { "<proto field>": ["<json name>", flags] } },
flags p = Go pointer, o = json omitempty, i = json inline (embedded). server/protobuf.ts uses them
to write what Go's JSON encoder would; apiextensions types are not in kubectl and are described
in server/protobuf.ts itself.
`;

function parseArgs(argv: string[]): { from: string; kubectl?: string } {
  let from = resolve(repoRoot(), '..', 'shared', 'data');
  let kubectl: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--from' && argv[i + 1]) from = resolve(argv[++i]);
    else if (a.startsWith('--from=')) from = resolve(a.slice('--from='.length));
    else if (a === '--kubectl' && argv[i + 1]) kubectl = resolve(argv[++i]);
    else if (a.startsWith('--kubectl=')) kubectl = resolve(a.slice('--kubectl='.length));
  }
  return { from, kubectl };
}

// --- Go field facts from a kubectl binary -------------------------------------------------
//
// A Go binary keeps a type descriptor (internal/abi.Type) for every type reflection can reach,
// and encoding/json reaches all API structs, so each struct's fields are there with their
// tags and types. Layout for Go 1.21-1.23 on 64-bit little-endian targets:
//   abi.Type (48 bytes): ... TFlag u8 @20, Kind_ u8 @23, Str NameOff i32 @40
//   abi.StructType: Type, PkgPath Name @48, Fields []StructField @56 (ptr, len, cap)
//   abi.UncommonType right after StructType (@80) when TFlag&1: PkgPath NameOff i32 @0
//   abi.StructField (24 bytes): Name *byte @0, Typ *Type @8, Offset uintptr @16
//   a Name: flags u8 (1 exported, 2 has tag, 8 embedded), uvarint len, bytes, [uvarint len, tag]
// NameOffs count from the start of the module's type data, the start of .rodata in an ELF
// Go executable.

const KIND_MASK = 0x1f;
const KIND_PTR = 22;
const KIND_STRUCT = 25;
const TFLAG_UNCOMMON = 1;
const TFLAG_EXTRA_STAR = 2;

interface Segment { vaddr: number; offset: number; size: number }

class GoBinary {
  readonly segs: Segment[] = [];
  readonly rodata: Segment;

  constructor(readonly buf: Buffer) {
    if (buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2 || buf[5] !== 1) {
      throw new Error('not a 64-bit little-endian ELF file');
    }
    const shoff = Number(buf.readBigUInt64LE(0x28));
    const shentsize = buf.readUInt16LE(0x3a);
    const shnum = buf.readUInt16LE(0x3c);
    const shstrndx = buf.readUInt16LE(0x3e);
    const strtabOff = Number(buf.readBigUInt64LE(shoff + shstrndx * shentsize + 0x18));
    let rodata: Segment | undefined;
    for (let i = 0; i < shnum; i++) {
      const h = shoff + i * shentsize;
      const type = buf.readUInt32LE(h + 4);
      if (type !== 1) continue; // PROGBITS: the only sections with file bytes we read
      const nameOff = buf.readUInt32LE(h);
      const name = buf.toString('latin1', strtabOff + nameOff, buf.indexOf(0, strtabOff + nameOff));
      const seg = {
        vaddr: Number(buf.readBigUInt64LE(h + 0x10)),
        offset: Number(buf.readBigUInt64LE(h + 0x18)),
        size: Number(buf.readBigUInt64LE(h + 0x20)),
      };
      this.segs.push(seg);
      if (name === '.rodata') rodata = seg;
    }
    if (!rodata) throw new Error('no .rodata section');
    this.rodata = rodata;
  }

  off(vaddr: number): number {
    for (const s of this.segs) {
      if (vaddr >= s.vaddr && vaddr < s.vaddr + s.size) return s.offset + (vaddr - s.vaddr);
    }
    return -1;
  }

  u64(vaddr: number): number {
    const o = this.off(vaddr);
    return o < 0 ? -1 : Number(this.buf.readBigUInt64LE(o));
  }

  /** A Name at vaddr: its text, its tag and its flags, or undefined when the bytes are not one. */
  name(vaddr: number): { text: string; tag: string; flags: number } | undefined {
    let o = this.off(vaddr);
    if (o < 0) return undefined;
    const flags = this.buf[o++];
    const uvarint = (): number => {
      let v = 0;
      for (let shift = 0; shift < 28; shift += 7) {
        const b = this.buf[o++];
        v |= (b & 0x7f) << shift;
        if (!(b & 0x80)) return v;
      }
      return -1;
    };
    const n = uvarint();
    if (n < 0 || n > 4096) return undefined;
    const text = this.buf.toString('latin1', o, o + n);
    o += n;
    let tag = '';
    if (flags & 2) {
      const t = uvarint();
      if (t < 0 || t > 4096) return undefined;
      tag = this.buf.toString('latin1', o, o + t);
    }
    return { text, tag, flags };
  }
}

function tagValue(tag: string, key: string): string | undefined {
  const m = new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag);
  return m?.[1];
}

interface GoStructFact { pkgPath: string; name: string; fields: Record<string, [string, string]> }

function readGoStructs(bin: GoBinary): GoStructFact[] {
  const out: GoStructFact[] = [];
  const { rodata, buf } = bin;
  const typesBase = rodata.vaddr;
  const end = rodata.offset + rodata.size - 80;
  for (let o = rodata.offset; o < end; o += 8) {
    if ((buf[o + 23] & KIND_MASK) !== KIND_STRUCT) continue;
    const fieldsPtr = Number(buf.readBigUInt64LE(o + 56));
    const len = Number(buf.readBigUInt64LE(o + 64));
    if (len === 0 || len > 512 || Number(buf.readBigUInt64LE(o + 72)) !== len) continue;
    const fo = bin.off(fieldsPtr);
    if (fo < 0) continue;
    const tflag = buf[o + 20];
    if (!(tflag & TFLAG_UNCOMMON)) continue; // only named types have a package path
    const fields: Record<string, [string, string]> = {};
    let ok = true;
    let any = false;
    for (let i = 0; i < len && ok; i++) {
      const nm = bin.name(Number(buf.readBigUInt64LE(fo + 24 * i)));
      const typ = Number(buf.readBigUInt64LE(fo + 24 * i + 8));
      const to = bin.off(typ);
      if (!nm || to < 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(nm.text)) { ok = false; break; }
      const pb = tagValue(nm.tag, 'protobuf');
      if (!pb) continue;
      // An embedded struct's tag may leave out name= (EphemeralContainerCommon is
      // "bytes,1,req"); go-to-protobuf then names the field after the type, lowerCamelCased.
      const protoName = /(?:^|,)name=([^,]+)/.exec(pb)?.[1] ?? nm.text[0].toLowerCase() + nm.text.slice(1);
      const json = tagValue(nm.tag, 'json') ?? '';
      const [jsonName, ...opts] = json.split(',');
      let flags = '';
      if ((buf[to + 23] & KIND_MASK) === KIND_PTR) flags += 'p';
      if (opts.includes('omitempty')) flags += 'o';
      if (opts.includes('inline') || (jsonName === '' && (nm.flags & 8))) flags += 'i';
      fields[protoName] = [jsonName || nm.text, flags];
      any = true;
    }
    if (!ok || !any) continue;
    const strName = bin.name(typesBase + buf.readInt32LE(o + 40));
    const pkgName = bin.name(typesBase + buf.readInt32LE(o + 80));
    if (!strName || !pkgName) continue;
    let name = strName.text;
    if (tflag & TFLAG_EXTRA_STAR) name = name.slice(1);
    name = name.slice(name.lastIndexOf('.') + 1);
    out.push({ pkgPath: pkgName.text, name, fields });
  }
  return out;
}

function extractGoFields(kubectl: string, protoDir: string): { json: Record<string, unknown>; summary: string } {
  const pkgByGo = new Map<string, string>();
  for (const file of walk(protoDir, [])) {
    if (!file.endsWith('.proto')) continue;
    const text = readFileSync(file, 'utf8');
    const pkg = /^package\s+([\w.]+)\s*;/m.exec(text)?.[1];
    const goPkg = /^option\s+go_package\s*=\s*"([^"]+)"\s*;/m.exec(text)?.[1];
    if (pkg && goPkg) pkgByGo.set(goPkg, pkg);
  }
  const structs = readGoStructs(new GoBinary(readFileSync(kubectl)));
  const out: Record<string, Record<string, [string, string]>> = {};
  let fields = 0;
  for (const s of structs) {
    const pkg = pkgByGo.get(s.pkgPath);
    if (!pkg) continue;
    const key = `${pkg}.${s.name}`;
    if (out[key]) continue;
    out[key] = s.fields;
    fields += Object.keys(s.fields).length;
  }
  // A Go release with another abi.Type layout would quietly yield nothing useful.
  if (!out['k8s.io.apimachinery.pkg.apis.meta.v1.ObjectMeta'] || Object.keys(out).length < 500) {
    throw new Error(`only ${Object.keys(out).length} messages found in ${kubectl}: not a Go 1.21-1.23 kubectl?`);
  }
  const sorted = Object.fromEntries(Object.keys(out).sort().map((k) => [k, out[k]]));
  return { json: sorted, summary: `${Object.keys(sorted).length} messages, ${fields} fields from ${kubectl}` };
}

function walk(dir: string, out: string[]): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

function main(): void {
  const { from, kubectl } = parseArgs(process.argv.slice(2));
  const src = join(from, 'k8s', 'proto');
  const dst = join(fixturesDir(), 'k8s', 'proto');
  // Keep the Go facts across a plain re-import: they need a kubectl binary to rebuild.
  const goFieldsPath = join(dst, 'go-fields.json');
  let goFields: Buffer | undefined;
  try { goFields = readFileSync(goFieldsPath); } catch { goFields = undefined; }
  rmSync(dst, { recursive: true, force: true });
  mkdirSync(dst, { recursive: true });

  let files = 0;
  let bytes = 0;
  for (const sub of KEEP) {
    for (const file of walk(join(src, sub), [])) {
      if (!file.endsWith('.proto')) continue;
      const to = join(dst, relative(src, file));
      mkdirSync(resolve(to, '..'), { recursive: true });
      // Not copyFileSync: it would carry over the read-only mode of the shared data.
      const data = readFileSync(file);
      writeFileSync(to, data);
      files++;
      bytes += data.length;
    }
  }
  writeFileSync(join(dst, 'SOURCE.txt'), Buffer.concat([readFileSync(join(src, 'SOURCE.txt')), Buffer.from(GO_FIELDS_NOTE)]));

  if (kubectl) {
    const facts = extractGoFields(kubectl, dst);
    // One message a line: diffable, and a fifth of the size of indented JSON.
    const lines = Object.entries(facts.json).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    writeFileSync(goFieldsPath, `{\n${lines.join(',\n')}\n}\n`);
    console.log(`go-fields.json: ${facts.summary}`);
  } else if (goFields) {
    writeFileSync(goFieldsPath, goFields);
  }
  console.log(`${files} .proto files (${bytes} bytes) -> ${relative(repoRoot(), dst)}`);
}

main();

// A forward protobuf writer over one growing buffer. A length-delimited field's length is not
// known until its content is written, so beginLen reserves one byte (enough for content under
// 128 bytes, the common case) and endLen moves the content along when the length needs more.

const INITIAL_BYTES = 64 * 1024;
// A buffer grown past this by one large object is dropped at the next reset.
const KEEP_BYTES = 4 * 1024 * 1024;

export class ProtoWriter {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_BYTES);
  private pos = 0;

  get length(): number {
    return this.pos;
  }

  reset(): void {
    if (this.buf.length > KEEP_BYTES) this.buf = Buffer.allocUnsafe(INITIAL_BYTES);
    this.pos = 0;
  }

  /** The bytes written, in a buffer of their own. */
  copy(): Buffer {
    const out = Buffer.allocUnsafe(this.pos);
    this.buf.copy(out, 0, 0, this.pos);
    return out;
  }

  copyInto(target: Buffer, at: number): void {
    this.buf.copy(target, at, 0, this.pos);
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.pos++] = b;
  }

  /** A non-negative integer below 2^53. */
  varint(n: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    if (n <= 0xffffffff) {
      while (n > 0x7f) {
        buf[p++] = (n & 0x7f) | 0x80;
        n >>>= 7;
      }
      buf[p++] = n;
      this.pos = p;
      return;
    }
    this.varint64(n >>> 0, Math.floor(n / 0x100000000) >>> 0);
  }

  /**
   * A Go int32/int64 field: negative values are sign-extended to 64 bits (gogo writes
   * uint64(v)), so they take ten bytes.
   */
  int64(n: number): void {
    if (n >= 0) this.varint(n);
    else this.varint64(n >>> 0, Math.floor(n / 0x100000000) >>> 0);
  }

  bigint(n: bigint): void {
    const u = BigInt.asUintN(64, n);
    this.varint64(Number(u & 0xffffffffn), Number(u >> 32n));
  }

  private varint64(lo: number, hi: number): void {
    this.ensure(10);
    const buf = this.buf;
    let p = this.pos;
    while (hi) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    while (lo > 0x7f) {
      buf[p++] = (lo & 0x7f) | 0x80;
      lo >>>= 7;
    }
    buf[p++] = lo;
    this.pos = p;
  }

  double(d: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(d, this.pos);
    this.pos += 8;
  }

  /** A length-prefixed UTF-8 string. */
  string(s: string): void {
    const n = s.length;
    if (n < 0x80) {
      // Most strings are short ASCII: copy the code units, one length byte in front.
      this.ensure(n + 1);
      const buf = this.buf;
      let p = this.pos + 1;
      for (let i = 0; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) {
          this.longString(s);
          return;
        }
        buf[p++] = c;
      }
      buf[this.pos] = n;
      this.pos = p;
      return;
    }
    this.longString(s);
  }

  private longString(s: string): void {
    const len = Buffer.byteLength(s, 'utf8');
    this.varint(len);
    this.ensure(len);
    this.pos += this.buf.write(s, this.pos, len, 'utf8');
  }

  bytes(b: Uint8Array): void {
    this.varint(b.length);
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** Reserves the length byte of a length-delimited field; pass the result to endLen. */
  beginLen(): number {
    this.ensure(1);
    return this.pos++;
  }

  endLen(at: number): void {
    const len = this.pos - at - 1;
    if (len < 0x80) {
      this.buf[at] = len;
      return;
    }
    let extra = 0;
    for (let n = len >>> 7; n > 0; n >>>= 7) extra++;
    this.ensure(extra);
    const buf = this.buf;
    buf.copyWithin(at + 1 + extra, at + 1, this.pos);
    let n = len;
    let p = at;
    while (n > 0x7f) {
      buf[p++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    buf[p] = n;
    this.pos += extra;
  }
}

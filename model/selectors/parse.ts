// Small pieces the label and field selector parsers share.

export function hasOwn(o: object, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(o, k);
}

// Go sorts strings byte-wise; for BMP text UTF-16 order agrees with that.
export function byteCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export class ParseError {
  constructor(readonly message: string) {}
}

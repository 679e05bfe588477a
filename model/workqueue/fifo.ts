// An array-backed FIFO with O(1) shift: Array.prototype.shift is O(n), which a queue of 60,000
// items pays on every get.
export class Fifo<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  get length(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item; the caller checks length first. */
  shift(): T {
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined;
    // Drop the consumed prefix once it is most of the array, so memory follows the live length.
    if (this.head >= 1024 && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

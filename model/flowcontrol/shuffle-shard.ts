// Shuffle sharding: a flow's hash picks a hand of queues out of a priority level's deck, the way
// staging/src/k8s.io/apiserver/pkg/util/shufflesharding/shufflesharding.go deals, with the flow
// hash of apf_controller.go (first 8 bytes, little-endian, of sha256(schema NUL distinguisher)).
// The same flow always gets the same hand, so hands are cached per flow.
import { createHash } from 'node:crypto';

/** shufflesharding.MaxHashBits: hands needing more entropy than this are invalid. */
const MAX_HASH_BITS = 60;
/** shufflesharding.NewDealer rejects decks larger than 1<<26. */
const MAX_DECK_SIZE = 1 << 26;
/** Dealer.Deal holds remainders in a [15]int array, so hands are at most this big. */
const MAX_HAND_SIZE = 15;
/** Hands cached per (flow schema, level); a flow is usually a user or a namespace. */
const HAND_CACHE_ENTRIES = 4096;

const SEPARATOR = Buffer.from([0]);

export function hashFlowID(flowSchema: string, distinguisher: string): bigint {
  const h = createHash('sha256');
  h.update(flowSchema);
  h.update(SEPARATOR);
  h.update(distinguisher);
  return h.digest().readBigUInt64LE(0);
}

/** Why a (deck, hand) pair cannot be dealt, as NewDealer words it, or undefined when it can. */
export function dealerProblem(deckSize: number, handSize: number): string | undefined {
  if (deckSize <= 0 || handSize <= 0) return `deckSize ${deckSize} or handSize ${handSize} is not positive`;
  if (handSize > deckSize) return `handSize ${handSize} is greater than deckSize ${deckSize}`;
  if (deckSize > MAX_DECK_SIZE) return `deckSize ${deckSize} is impractically large`;
  if (handSize > MAX_HAND_SIZE || Math.ceil(Math.log2(deckSize) * handSize) > MAX_HASH_BITS) {
    return `required entropy bits of deckSize ${deckSize} and handSize ${handSize} is greater than ${MAX_HASH_BITS}`;
  }
  return undefined;
}

/** Deals `handSize` distinct cards out of `deckSize` using the hash as the only entropy. */
export function deal(hashValue: bigint, deckSize: number, handSize: number): number[] {
  const remainders: number[] = [];
  let h = hashValue;
  for (let i = 0; i < handSize; i++) {
    const d = BigInt(deckSize - i);
    remainders.push(Number(h % d));
    h /= d;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand.push(card);
  }
  return hand;
}

/** Hands for one flow schema at one level's (deck, hand) sizes, bounded. */
export class HandCache {
  private readonly hands = new Map<string, readonly number[]>();

  constructor(private readonly flowSchema: string, private readonly deckSize: number, private readonly handSize: number) {}

  hand(distinguisher: string): readonly number[] {
    let hand = this.hands.get(distinguisher);
    if (hand === undefined) {
      if (this.hands.size >= HAND_CACHE_ENTRIES) this.hands.clear();
      hand = deal(hashFlowID(this.flowSchema, distinguisher), this.deckSize, this.handSize);
      this.hands.set(distinguisher, hand);
    }
    return hand;
  }
}

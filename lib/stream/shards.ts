/**
 * Sharding of the event stream by member, as Kafka partitions a topic by key: every event of one
 * member goes to one shard stream, and one worker at a time applies a shard, so a member's events
 * are applied in the order they were published (a refund never overtakes its purchase).
 *
 * The shard of a member is `fnv1a32(memberExternalId) % shards`: FNV-1a, 32 bits, over the UTF-8
 * bytes of the id with surrounding whitespace trimmed (as the API stores it). Other producers must
 * compute the same; the published test vectors are in test/scale/stream-shards.test.ts.
 */

const utf8 = new TextEncoder();

export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of utf8.encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function memberShard(memberExternalId: string, shards: number): number {
  return fnv1a32(memberExternalId.trim()) % shards;
}

/** An event without a string member id goes to shard 0, whose worker dead-letters it. */
export function eventShard(event: unknown, shards: number): number {
  const member = (event as { memberExternalId?: unknown } | null)?.memberExternalId;
  return typeof member === "string" ? memberShard(member, shards) : 0;
}

/**
 * The stream of one shard: the base stream itself when there is one shard (so an unsharded
 * deployment keeps `loyalty:events`), `<base>:shard:<n>` otherwise — never `<base>:dead`.
 */
export function shardStream(base: string, shard: number, shards: number): string {
  return shards === 1 ? base : `${base}:shard:${shard}`;
}

/** The Redis key whose holder is the one worker of `group` allowed to apply this shard stream. */
export function shardLeaseKey(stream: string, group: string): string {
  return `${stream}:lease:${group}`;
}

/** `--shards 0,2` → [0, 2]; undefined → every shard. Throws a readable error on anything else. */
export function parseShardList(text: string | undefined, shards: number): number[] {
  if (text === undefined) return Array.from({ length: shards }, (_, i) => i);
  const parts = text.split(",").map((p) => p.trim());
  const list = parts.map(Number);
  const bad = parts.find((p, i) => !/^\d+$/.test(p) || list[i]! >= shards);
  if (bad !== undefined) throw new Error(`--shards: "${bad}" is not a shard between 0 and ${shards - 1} (EVENT_STREAM_SHARDS=${shards}).`);
  if (new Set(list).size !== list.length) throw new Error(`--shards: "${text}" names a shard twice.`);
  return list;
}

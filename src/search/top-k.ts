/**
 * Bounded selection of the best `k` candidates. A query can touch most of a 10,000-tool catalog (a word like "get"
 * is everywhere) while only ~10 hits are returned, so a size-k min-heap (O(n log k)) replaces sorting everything.
 */

/**
 * Ids from `candidates` with the highest `scores[id]`, best first; ties go to the lower id (catalog order). Ids for
 * which `accept` returns false are skipped.
 */
export function selectTop(
  candidates: readonly number[],
  scores: Float64Array,
  k: number,
  accept?: (id: number) => boolean,
): number[] {
  if (k <= 0) return [];
  // Min-heap on (score, then higher id = worse): heap[0] is the weakest kept candidate.
  const heap: number[] = [];
  const worse = (a: number, b: number) => scores[a]! < scores[b]! || (scores[a] === scores[b] && a > b);
  for (const id of candidates) {
    if (accept && !accept(id)) continue;
    if (heap.length < k) {
      heap.push(id);
      siftUp(heap, heap.length - 1, worse);
    } else if (worse(heap[0]!, id)) {
      heap[0] = id;
      siftDown(heap, 0, worse);
    }
  }
  const out: number[] = [];
  while (heap.length > 0) {
    out.push(heap[0]!);
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      siftDown(heap, 0, worse);
    }
  }
  return out.reverse();
}

type Worse = (a: number, b: number) => boolean;

function siftUp(heap: number[], i: number, worse: Worse): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!worse(heap[i]!, heap[parent]!)) return;
    [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
    i = parent;
  }
}

function siftDown(heap: number[], i: number, worse: Worse): void {
  for (;;) {
    const left = 2 * i + 1;
    const right = left + 1;
    let smallest = i;
    if (left < heap.length && worse(heap[left]!, heap[smallest]!)) smallest = left;
    if (right < heap.length && worse(heap[right]!, heap[smallest]!)) smallest = right;
    if (smallest === i) return;
    [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
    i = smallest;
  }
}

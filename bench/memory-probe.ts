// Loaded into a child process by figure 4b (`node --expose-gc --import ./bench/memory-probe.ts …`):
// every second it collects garbage and notes the heap and resident memory left, and at exit writes
// the largest of each to the file named by BOURSE_BENCH_MEMORY_PROBE. Memory measured after a full
// collection is what the process retains; the peak without one mostly shows how far V8 let the heap
// grow before collecting, which says nothing about retention.
import { writeFileSync } from 'node:fs';

const out = process.env.BOURSE_BENCH_MEMORY_PROBE;
const collect = (globalThis as { gc?: () => void }).gc;
if (out !== undefined && collect !== undefined) {
  let maxHeap = 0;
  let maxRss = 0;
  let samples = 0;
  const sample = (): void => {
    collect();
    const m = process.memoryUsage();
    maxHeap = Math.max(maxHeap, m.heapUsed);
    maxRss = Math.max(maxRss, m.rss);
    samples++;
  };
  setInterval(sample, 1000).unref();
  process.on('exit', () => {
    writeFileSync(out, JSON.stringify({ maxHeapUsedAfterGc: maxHeap, maxRssAfterGc: maxRss, samples }));
  });
}

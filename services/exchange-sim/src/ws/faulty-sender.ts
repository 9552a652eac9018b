// Sends stream frames through the stream faults: a fixed delay (order kept), occasional reordering
// (a frame held back and sent after the next one) and occasional duplicates.

import type { WebSocket } from 'ws';
import type { FaultState } from '../faults.js';
import type { Random } from '../random.js';

/** A held-back frame is released after this long if no later frame overtakes it. */
const REORDER_RELEASE_MS = 250;

export class FaultySender {
  private held: string | undefined;
  private releaseTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ws: WebSocket,
    private readonly faults: FaultState,
    private readonly random: Random,
  ) {}

  send(text: string): void {
    const f = this.faults.current;
    if (this.held !== undefined) {
      const held = this.held;
      this.held = undefined;
      if (this.releaseTimer) clearTimeout(this.releaseTimer);
      this.out(text, f.streamDelayMs);
      this.out(held, f.streamDelayMs);
      return;
    }
    if (f.streamReorderProbability > 0 && this.random.next() < f.streamReorderProbability) {
      this.faults.noteInjected('streamReorderProbability');
      this.held = text;
      this.releaseTimer = setTimeout(() => {
        if (this.held !== undefined) this.out(this.held, 0);
        this.held = undefined;
      }, REORDER_RELEASE_MS);
      return;
    }
    this.out(text, f.streamDelayMs);
    if (f.streamDuplicateProbability > 0 && this.random.next() < f.streamDuplicateProbability) {
      this.faults.noteInjected('streamDuplicateProbability');
      this.out(text, f.streamDelayMs);
    }
  }

  /** Sends without faults (protocol replies are not market events). */
  sendDirect(text: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.send(text);
  }

  close(): void {
    if (this.releaseTimer) clearTimeout(this.releaseTimer);
    this.held = undefined;
  }

  private out(text: string, delayMs: number): void {
    if (delayMs > 0) {
      this.faults.noteInjected('streamDelayMs');
      setTimeout(() => this.sendDirect(text), delayMs).unref();
    } else {
      this.sendDirect(text);
    }
  }
}

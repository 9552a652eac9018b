import { z } from 'zod';
import { FillEvent } from './fill-event.js';
import { OrderStatusUpdate } from './order-status-update.js';

/** Everything the EXEC stream carries, told apart by `type`. */
export const ExecutionEvent = z.discriminatedUnion('type', [OrderStatusUpdate, FillEvent]);
export type ExecutionEvent = z.infer<typeof ExecutionEvent>;

export const ExecutionEventType = z.enum(['order-status', 'fill']);
export type ExecutionEventType = z.infer<typeof ExecutionEventType>;

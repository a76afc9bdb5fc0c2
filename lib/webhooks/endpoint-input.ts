import { z } from "zod";
import { WEBHOOK_EVENT_TYPES } from "./event-types";

/** The edge's schemas for webhook endpoints (parsed once, in the route, with lib/http parseInput). */
const url = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const parsed = new URL(value);
      return (parsed.protocol === "http:" || parsed.protocol === "https:") && parsed.hostname !== "" && value.startsWith(parsed.protocol);
    } catch {
      return false;
    }
  }, "must be an http(s) URL");

const eventTypes = z.array(z.enum(WEBHOOK_EVENT_TYPES)).min(1).max(WEBHOOK_EVENT_TYPES.length);

export const createEndpointSchema = z.strictObject({
  url,
  /** Omitted or null: every type. */
  eventTypes: eventTypes.nullish(),
});
export type CreateEndpointInput = z.output<typeof createEndpointSchema>;

export const changeEndpointSchema = z
  .strictObject({ enabled: z.boolean().optional(), eventTypes: eventTypes.nullable().optional() })
  .refine((v) => v.enabled !== undefined || v.eventTypes !== undefined, "Give enabled or eventTypes");
export type ChangeEndpointInput = z.output<typeof changeEndpointSchema>;

/** A path id: a positive integer in bigint range. */
export const endpointIdSchema = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

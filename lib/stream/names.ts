/** Where events arrive, where poison events go, and the consumer group that applies them. */
export const EVENTS_STREAM = "loyalty:events";
export const DEAD_LETTER_STREAM = "loyalty:events:dead";
export const ACCRUAL_GROUP = "accrual";
/** Stream entries carry the event as one JSON field, so a payload is parsed exactly like an API body. */
export const EVENT_FIELD = "event";

import type { FormState } from "./form-state";

export { IDLE } from "./form-state";
export type CheckInState = FormState<never, { points: number; streak: number }>;

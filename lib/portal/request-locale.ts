import { headers } from "next/headers";
import { pickLocale } from "./format";

export async function requestLocale(): Promise<string> {
  return pickLocale((await headers()).get("accept-language"));
}

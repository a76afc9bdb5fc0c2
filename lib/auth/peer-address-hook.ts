import diagnostics from "node:diagnostics_channel";
import type { IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import { markPeerHookInstalled, PEER_HEADER, peerHookInstalled } from "./client-address";

/**
 * Route handlers and server actions in Next.js never see the socket, and Next.js's server fills
 * `X-Forwarded-For` with the socket's address only when the client sent none. Node publishes every
 * incoming request on the `http.server.request.start` diagnostics channel synchronously, before the
 * server's `request` listeners (Next.js) run; here the socket's address is appended to
 * `X-Forwarded-For` (as a proxy would) and stamped into `x-loyalty-peer`, overwriting whatever the
 * client put in either. Installed once per process by instrumentation.ts.
 */
export function installPeerAddressHook(): void {
  if (peerHookInstalled()) return;
  diagnostics.subscribe("http.server.request.start", (message) => {
    const { request, socket } = message as { request: IncomingMessage; socket: Socket };
    const peer = socket.remoteAddress ?? "unknown";
    const forwarded = request.headers["x-forwarded-for"];
    const sent = Array.isArray(forwarded) ? forwarded.join(", ") : forwarded;
    request.headers["x-forwarded-for"] = sent ? `${sent}, ${peer}` : peer;
    request.headers[PEER_HEADER] = peer;
  });
  markPeerHookInstalled();
}

import { sql } from "drizzle-orm";
import { connectPglite } from "@/db/client";

// Test helper process: holds an embedded database folder open until SIGTERM, like a dev server.
const handle = connectPglite(process.argv[2]!);
await handle.db.execute(sql`select 1`);
process.stdout.write(`ready ${process.pid}\n`);
process.on("SIGTERM", () => {
  void handle.close().then(() => process.exit(0));
});
setInterval(() => {}, 60_000);

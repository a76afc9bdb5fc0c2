import { defineConfig } from "drizzle-kit";

// Generation needs no database; `npm run db:migrate` applies drizzle/ through db/migrate.ts instead.
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema/index.ts",
  out: "./drizzle",
  casing: "snake_case",
  dbCredentials: { url: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres" },
});

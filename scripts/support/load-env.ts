import nextEnv from "@next/env";

// Scripts see the same .env files as `next dev`/`next start` (.env, .env.local, .env.<mode>).
// Imported first by every entry point, before anything calls env().
nextEnv.loadEnvConfig(process.cwd(), process.env.NODE_ENV !== "production", { info: () => {}, error: console.error });

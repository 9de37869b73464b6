// Vercel Edge Functions and Middleware.
import "./load-edge-light.mjs";
export * from "./api.mjs";

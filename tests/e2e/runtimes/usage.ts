// Compiled with `tsc --strict --noEmit` against the shipped declarations.
import {
  ConveyorClient,
  ConveyorError,
  ConveyorAuthError,
  ConveyorRateLimitError,
  type ConveyorClientOptions,
} from "conveyor-client";

const options: ConveyorClientOptions = { apiKey: "k", baseUrl: "http://127.0.0.1:1/api/v2" };
const client = new ConveyorClient(options);

export async function main(): Promise<number> {
  try {
    const res: Response = await client.fetch("/exchange/connections", { method: "GET" });
    return res.status;
  } catch (e) {
    if (e instanceof ConveyorAuthError) {
      const status: 403 = e.status;
      return status;
    }
    if (e instanceof ConveyorRateLimitError) {
      return e.retryAfterMs ?? 0;
    }
    if (e instanceof ConveyorError) {
      const code: string = e.code;
      return code.length;
    }
    throw e;
  }
}

// The declarations must be strict enough to catch misuse:
// @ts-expect-error apiKey is required
new ConveyorClient({ baseUrl: "https://x" });
// @ts-expect-error apiKey is a string
new ConveyorClient({ apiKey: 42 });
// @ts-expect-error fetch takes a path string
void client.fetch(42);

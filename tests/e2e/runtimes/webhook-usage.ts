// Compiled with `tsc --strict --noEmit` against the shipped declarations: the webhook API.
import {
  verifyWebhook,
  ConveyorError,
  ConveyorWebhookError,
  type AccessRequestedEvent,
  type ConveyorWebhookErrorCode,
  type VerifyWebhookOptions,
} from "conveyor-client";

export async function handle(request: Request, secret: string): Promise<Response> {
  try {
    const event = await verifyWebhook({ body: await request.text(), headers: request.headers, secret });
    if (event.type === "access.requested") {
      const email: string = event.data.email;
      const id: string | number = event.data.id;
      const unknownField: unknown = event.data.some_future_field;
      void [email, id, unknownField, event.timestamp];
    }
    return new Response(null, { status: 204 });
  } catch (e) {
    if (e instanceof ConveyorWebhookError) {
      const code: ConveyorWebhookErrorCode = e.code;
      const base: ConveyorError = e;
      void base;
      return new Response(code, { status: 400 });
    }
    throw e;
  }
}

// Node: raw bytes and a plain header object.
export async function node(raw: Uint8Array, headers: Record<string, string | string[] | undefined>): Promise<void> {
  const opts: VerifyWebhookOptions = { body: raw, headers, secret: "whsec_AAEC", toleranceSec: 60, now: new Date() };
  const ev: AccessRequestedEvent = await verifyWebhook(opts);
  void ev;
  await verifyWebhook({ body: raw.buffer as ArrayBuffer, headers, secret: "x", now: 0, maxBodyBytes: 1 << 20 });
  // Another event type, named by the caller.
  const other = await verifyWebhook<{ type: "questionnaire.completed"; data: { id: number } }>({ body: "", headers, secret: "x" });
  const n: number = other.data.id;
  void n;
}

// @ts-expect-error a parsed body cannot be verified
void verifyWebhook({ body: { type: "access.requested" }, headers: {}, secret: "x" });
// @ts-expect-error the secret is required
void verifyWebhook({ body: "", headers: {} });
// @ts-expect-error now is a Date or a number
void verifyWebhook({ body: "", headers: {}, secret: "x", now: "yesterday" });

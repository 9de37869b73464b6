// Types for conveyor-client's records and the pieces every typed method shares: ids, uploads,
// call options, pages and the paging `ListResult`. Record fields keep the API's own
// snake_case names. Written by hand; resources.d.ts (generated from the endpoint table)
// names these records in its methods.

import type {
  AccessLevel,
  AuthorizationRequestStatus,
  AuthorizationStatus,
  Certification,
  InteractionType,
  KnowledgeBaseQuestionStatus,
  OriginalFormat,
  QuestionnaireStatus,
} from "./resources.js";

/** A record id: the API's ids are numbers or strings; both are accepted everywhere. */
export type Id = number | string;
/** An ISO-8601 date or date-time string, or a `Date` (sent as its ISO string). */
export type DateInput = string | Date;
/** A known value, or any other string: the API may add values, and they are kept as sent. */
export type Open<Known extends string> = Known | (string & {});
/** An upload: a `Blob`/`File`, or bytes as a `Uint8Array` or `ArrayBuffer`. */
export type Upload = Blob | Uint8Array | ArrayBuffer;

/** The optional last argument of every method. */
export interface CallOptions {
  /** Aborts the call (and, for lists, the page being fetched). */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms for this call, instead of the client's. */
  timeoutMs?: number;
}

/** Accepted by every list method. */
export interface PageParams {
  /** The first page to fetch (from 1); iteration continues from it. */
  page?: number;
  /** Records per page, 1..100 (the API's default is 100). */
  per_page?: number;
}

// ---------------------------------------------------------------------------------------
// Records. Unknown fields pass through untouched (hence the index signatures).

export interface Links {
  self?: { href: string };
  [rel: string]: { href: string } | undefined;
}

export interface Connection {
  id: Id;
  _type?: string;
  domain?: string;
  crm_id?: string | null;
  crm_link?: string | null;
  authorizations_count?: number;
  authorizations_with_access_count?: number;
  authorizations_removed_count?: number;
  latest_activity_at?: string | null;
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
}

export interface AuthorizationRequest {
  id: Id;
  _type?: string;
  email?: string;
  status?: AuthorizationRequestStatus;
  message?: string | null;
  dataroom_id?: Id;
  requested_at?: string | null;
  crm_link?: string | null;
  created_at?: string;
  updated_at?: string;
  _links?: Links;
  [field: string]: unknown;
}

export interface AccessGroupRef {
  id: Id;
  name?: string;
  [field: string]: unknown;
}

export interface Authorization {
  id: Id;
  _type?: string;
  email?: string;
  status?: AuthorizationStatus;
  dataroom_id?: Id;
  connection_id?: Id | null;
  is_owner?: boolean;
  subscribed?: boolean;
  gate_document_signature_id?: Id | null;
  _embedded?: { access_groups?: AccessGroupRef[]; [key: string]: unknown };
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
}

export interface AccessGroup {
  id: Id;
  name?: string;
  dataroom_id?: Id;
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
}

export interface Folder {
  id: Id;
  name?: string;
  dataroom_id?: Id;
  document_ids?: Id[];
  created_at?: string;
  updated_at?: string;
  _type?: string;
  _links?: Links;
  [field: string]: unknown;
}

export interface DocumentVersion {
  id: Id;
  version_number?: number;
  content_type?: string;
  filename?: string;
  created_at?: string;
  [field: string]: unknown;
}

export interface Document {
  id: Id;
  name?: string;
  description?: string | null;
  display_certification?: Certification | null;
  publicly_accessible?: boolean;
  featured?: boolean;
  folder?: unknown;
  access_level?: AccessLevel;
  use_for_question_answering?: boolean;
  disable_downloads?: boolean;
  access_groups?: AccessGroupRef[];
  product_lines?: unknown[];
  versions?: DocumentVersion[];
  file_updated_at?: string | null;
  created_at?: string;
  updated_at?: string;
  _type?: string;
  _links?: Links;
  [field: string]: unknown;
}

export interface ConnectionRef {
  id: Id;
  domain?: string;
  crm_link?: string | null;
  crm_id?: string | null;
  [field: string]: unknown;
}

export interface Questionnaire {
  id: Id;
  name?: string;
  status?: QuestionnaireStatus;
  assignee?: { id: Id; name?: string; email?: string; [field: string]: unknown } | null;
  connection?: ConnectionRef | null;
  question_count?: number;
  original_format?: OriginalFormat;
  crm_link?: string | null;
  is_test?: boolean;
  due_at?: string | null;
  completed_at?: string | null;
  domain?: string;
  created_at?: string;
  updated_at?: string;
  _type?: string;
  _links?: Links;
  [field: string]: unknown;
}

export interface KnowledgeBaseQuestion {
  id: Id;
  question?: string;
  answer?: string | null;
  status?: KnowledgeBaseQuestionStatus;
  curator?: unknown;
  max_verification_age?: number | null;
  popularity?: { value?: number; meta?: unknown; count?: number; [field: string]: unknown };
  question_domains?: unknown[];
  created_at?: string;
  updated_at?: string;
  [field: string]: unknown;
}

export interface Interaction {
  id: Id;
  type?: InteractionType;
  email?: string | null;
  content?: unknown;
  connection?: ConnectionRef | null;
  created_at?: string;
  [field: string]: unknown;
}

export interface ProductLine {
  id: Id;
  name?: string;
  program_id?: Id;
  publicly_accessible?: boolean;
  in_use?: boolean;
  created_at?: string;
  updated_at?: string;
  _type?: string;
  _links?: Links;
  [field: string]: unknown;
}

export interface SingleQuestionAnswer {
  id?: Id;
  question?: string;
  answer?: string | null;
  answer_confidence?: number | string | null;
  structured_answer?: unknown;
  structured_answers?: unknown;
  [field: string]: unknown;
}

export interface QuestionnaireRequest {
  id?: Id;
  [field: string]: unknown;
}

export interface Review {
  id?: Id;
  [field: string]: unknown;
}

// ---------------------------------------------------------------------------------------
// Pages and lists.

/** The paging fields a page carries (HAL pages carry them at the top level too, when paged). */
export interface PageInfo {
  page?: number;
  per_page?: number;
  total_pages?: number;
}

/**
 * A page as the API sent it, plus `items`: a non-enumerable property holding its records
 * (the `<plural>` array, or `_embedded.<plural>` for HAL envelopes), so `JSON.stringify`
 * of a page is exactly the response.
 */
export type FlatPage<Plural extends string, T> = PageInfo & { [P in Plural]: T[] } & {
  readonly items: T[];
  [field: string]: unknown;
};
/** A HAL page: `{ _embedded: { <plural>: [...] } }`, with the same non-enumerable `items`. */
export type HalPage<Plural extends string, T> = PageInfo & {
  _embedded: { [P in Plural]: T[] };
  readonly items: T[];
  [field: string]: unknown;
};

/**
 * What every list method returns. Nothing is sent until it is awaited or iterated.
 *
 * - `await list` resolves with the first page (the response object, plus `items`);
 * - `for await (const record of list)` yields every record across pages, fetching each
 *   page only when the loop reaches it (through the rate limiter); `break` stops fetching;
 * - `list.pages()` yields page after page;
 * - `list.toArray({ limit })` collects up to `limit` records.
 *
 * Paging stops after `total_pages`, on an empty page, or, when the server sends no
 * `total_pages`, on a page shorter than `per_page`.
 */
export interface ListResult<T, Page> extends PromiseLike<Page>, AsyncIterable<T> {
  then<A = Page, B = never>(
    onfulfilled?: ((page: Page) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B>;
  catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<Page | B>;
  finally(onfinally?: (() => void) | null): Promise<Page>;
  /** Every page in turn, starting with the first. */
  pages(): AsyncIterableIterator<Page>;
  /** Records across pages, at most `limit` (default: all). */
  toArray(options?: { limit?: number }): Promise<T[]>;
  [Symbol.asyncIterator](): AsyncIterator<T>;
}

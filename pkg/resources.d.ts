// Types for the typed endpoint methods of conveyor-client: every params object, record,
// page and namespace. Parameter and record fields keep the API's own snake_case names.
//
// Kept in step with the Rust endpoint table (src/resources/) by a test that reads this
// file: every endpoint's params interface lists exactly the parameters Rust accepts, with
// the same required ones, and every enum value appears here.

/** A record id: the API's ids are numbers or strings; both are accepted everywhere. */
export type Id = number | string;
/** An ISO-8601 date or date-time string, or a `Date` (sent as its ISO string). */
export type DateInput = string | Date;
/** A known value, or any other string: the API may add values, and they are kept as sent. */
export type Open<Known extends string> = Known | (string & {});
/** An upload: a `Blob`/`File`, or bytes as a `Uint8Array` or `ArrayBuffer`. */
export type Upload = Blob | Uint8Array | ArrayBuffer;

export type AuthorizationRequestStatus = Open<"initial" | "requested" | "approved" | "ignored">;
export type AuthorizationStatus = Open<"gated" | "authorized" | "revoked">;
export type QuestionnaireStatus = Open<"processing" | "started" | "ready_for_review" | "approved" | "completed">;
export type KnowledgeBaseQuestionStatus = Open<"verified" | "unverified">;
export type InteractionType = Open<"Document" | "Q & A">;
export type OriginalFormat = Open<"spreadsheet" | "file" | "portal">;
export type QuestionnaireType = Open<"security_questionnaire" | "rfp">;
export type AccessLevel = Open<"public" | "protected" | "need_to_know" | "internal">;
export type Certification = Open<"soc2-type-2" | "iso-27001" | "hipaa" | "gdpr" | "pci">;

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

// ---------------------------------------------------------------------------------------
// Params, one interface per endpoint that takes any (named after the endpoint).

export interface ExchangeConnectionsListParams extends PageParams {
  domain?: string;
}
export interface ExchangeAuthorizationRequestsListParams extends PageParams {
  email?: string;
  status?: AuthorizationRequestStatus;
}
export interface ExchangeAuthorizationRequestsIgnoreParams {
  reviewer_email: string;
}
export interface ExchangeAuthorizationRequestsQueueParams extends PageParams {}
export interface ExchangeAuthorizationsListParams extends PageParams {
  email?: string;
  status?: AuthorizationStatus;
}
interface ExchangeAuthorizationsCreateCommon {
  access_group_ids?: Id[];
  nda_bypass?: boolean;
  expires_at?: DateInput;
}
/** Approve a request (`request_id`) or invite someone (`email`): at least one is required. */
export type ExchangeAuthorizationsCreateParams =
  | (ExchangeAuthorizationsCreateCommon & { request_id: Id; email?: string })
  | (ExchangeAuthorizationsCreateCommon & { request_id?: Id; email: string });
export interface ExchangeAuthorizationsUpdateParams {
  status?: AuthorizationStatus;
  /** Replaces the authorization's access groups. */
  access_group_ids?: Id[];
}
export interface ExchangeAccessGroupsListParams extends PageParams {}
export interface ExchangeFoldersListParams extends PageParams {}
export interface ExchangeFoldersCreateParams {
  name: string;
}
export interface ExchangeDocumentsListParams extends PageParams {}
export interface ExchangeDocumentsUpdateParams {
  name?: string;
  /** A new version of the file. */
  file?: Upload;
  /** The upload's file name (default: the `File`'s own name, else "upload"). */
  filename?: string;
  description?: string;
  certification?: Certification;
  featured?: boolean;
  folder_id?: Id;
  access_level?: AccessLevel;
  product_line_ids?: Id[];
  access_group_ids?: Id[];
  disable_downloads?: boolean;
  use_for_question_answering?: boolean;
}
export interface ExchangeDocumentsCreateParams extends ExchangeDocumentsUpdateParams {
  name: string;
  file: Upload;
}
export interface QuestionnairesListParams extends PageParams {
  status?: QuestionnaireStatus;
  product_line_ids?: Id[];
  created_at_start?: DateInput;
  created_at_end?: DateInput;
  completed_at_start?: DateInput;
  completed_at_end?: DateInput;
  due_at_start?: DateInput;
  due_at_end?: DateInput;
}
export interface QuestionnairesCreateParams {
  domain: string;
  email: string;
  original_format: OriginalFormat;
  questionnaire_type?: QuestionnaireType;
  due_at?: DateInput;
  product_line_ids?: Id[];
  portal_url?: string;
  notes?: string;
  file?: Upload;
  /** Sent as a field, and used as the upload's file name. */
  filename?: string;
  content_type?: string;
  content_version_id?: Id;
  customer_name?: string;
  crm_id?: string;
  crm_amount?: number;
}
export interface QuestionnaireRequestsCreateParams {
  external_id?: string;
  source?: string;
  submitter_email?: string;
  submitter_external_id?: string;
  submitter_external_name?: string;
  case_ids?: Id[];
  raw_data?: string;
  file?: Upload;
  /** The upload's file name (default: the `File`'s own name, else "upload"). */
  filename?: string;
}
export interface KnowledgeBaseQuestionsListParams extends PageParams {
  status?: KnowledgeBaseQuestionStatus;
}
export interface InteractionsListParams extends PageParams {
  type?: InteractionType;
  created_at_start?: DateInput;
  created_at_end?: DateInput;
}
export interface InteractionsByConnectionParams extends InteractionsListParams {}
export interface InteractionsByDocumentParams extends InteractionsListParams {}
export interface InteractionsByQuestionParams extends InteractionsListParams {}
export interface ProductLinesListParams extends PageParams {}
export interface SingleQuestionAskParams {
  question: string;
  product_line_ids?: Id[];
  question_type?: string;
  multiple_choice_options?: string[];
  confidence_threshold?: number;
  email?: string;
}
export interface ReviewsCreateParams {
  email: string;
  vendor_name: string;
  iteration_vm_id?: Id;
  question_group_id?: Id;
  vendor_vm_id?: Id;
}

// ---------------------------------------------------------------------------------------
// Namespaces. Every method also takes an optional last `CallOptions`; a missing required
// parameter or a wrong type rejects with `ConveyorValidationError` before anything is sent.

export type ConnectionsPage = FlatPage<"connections", Connection>;
export type AuthorizationRequestsPage = FlatPage<"authorization_requests", AuthorizationRequest>;
export type AuthorizationsPage = FlatPage<"authorizations", Authorization>;
export type AccessGroupsPage = FlatPage<"access_groups", AccessGroup>;
export type FoldersPage = HalPage<"folders", Folder>;
export type DocumentsPage = HalPage<"documents", Document>;
export type QuestionnairesPage = HalPage<"questionnaires", Questionnaire>;
export type KnowledgeBaseQuestionsPage = FlatPage<"questions", KnowledgeBaseQuestion>;
export type InteractionsPage = FlatPage<"interactions", Interaction>;
export type ProductLinesPage = HalPage<"product_lines", ProductLine>;

export interface ExchangeResource {
  connections: {
    list(params?: ExchangeConnectionsListParams, options?: CallOptions): ListResult<Connection, ConnectionsPage>;
  };
  authorizationRequests: {
    list(
      params?: ExchangeAuthorizationRequestsListParams,
      options?: CallOptions,
    ): ListResult<AuthorizationRequest, AuthorizationRequestsPage>;
    get(id: Id, options?: CallOptions): Promise<AuthorizationRequest>;
    ignore(id: Id, params: ExchangeAuthorizationRequestsIgnoreParams, options?: CallOptions): Promise<AuthorizationRequest>;
    /** The open requests waiting for a review. */
    queue(
      params?: ExchangeAuthorizationRequestsQueueParams,
      options?: CallOptions,
    ): ListResult<AuthorizationRequest, AuthorizationRequestsPage>;
  };
  authorizations: {
    list(params?: ExchangeAuthorizationsListParams, options?: CallOptions): ListResult<Authorization, AuthorizationsPage>;
    create(params: ExchangeAuthorizationsCreateParams, options?: CallOptions): Promise<Authorization>;
    update(id: Id, params?: ExchangeAuthorizationsUpdateParams, options?: CallOptions): Promise<Authorization>;
    revoke(id: Id, options?: CallOptions): Promise<Authorization>;
  };
  accessGroups: {
    list(params?: ExchangeAccessGroupsListParams, options?: CallOptions): ListResult<AccessGroup, AccessGroupsPage>;
  };
  folders: {
    list(params?: ExchangeFoldersListParams, options?: CallOptions): ListResult<Folder, FoldersPage>;
    create(params: ExchangeFoldersCreateParams, options?: CallOptions): Promise<Folder>;
    delete(id: Id, options?: CallOptions): Promise<void>;
  };
  documents: {
    list(params?: ExchangeDocumentsListParams, options?: CallOptions): ListResult<Document, DocumentsPage>;
    create(params: ExchangeDocumentsCreateParams, options?: CallOptions): Promise<Document>;
    update(id: Id, params?: ExchangeDocumentsUpdateParams, options?: CallOptions): Promise<Document>;
    delete(id: Id, options?: CallOptions): Promise<void>;
  };
}

export interface QuestionnairesResource {
  list(params?: QuestionnairesListParams, options?: CallOptions): ListResult<Questionnaire, QuestionnairesPage>;
  create(params: QuestionnairesCreateParams, options?: CallOptions): Promise<Questionnaire>;
}

export interface QuestionnaireRequestsResource {
  create(params?: QuestionnaireRequestsCreateParams, options?: CallOptions): Promise<QuestionnaireRequest>;
}

export interface KnowledgeBaseResource {
  questions: {
    list(
      params?: KnowledgeBaseQuestionsListParams,
      options?: CallOptions,
    ): ListResult<KnowledgeBaseQuestion, KnowledgeBaseQuestionsPage>;
  };
}

export interface InteractionsResource {
  list(params?: InteractionsListParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  byConnection(id: Id, params?: InteractionsByConnectionParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  byDocument(id: Id, params?: InteractionsByDocumentParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  byQuestion(id: Id, params?: InteractionsByQuestionParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
}

export interface ProductLinesResource {
  list(params?: ProductLinesListParams, options?: CallOptions): ListResult<ProductLine, ProductLinesPage>;
}

export interface SingleQuestionResource {
  ask(params: SingleQuestionAskParams, options?: CallOptions): Promise<SingleQuestionAnswer>;
}

export interface ReviewsResource {
  create(params: ReviewsCreateParams, options?: CallOptions): Promise<Review>;
}

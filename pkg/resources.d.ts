// Types for the typed endpoint methods of conveyor-client: every enum, params object, page
// and namespace. Parameter fields keep the API's own snake_case names; the records are in
// records.d.ts.
//
// Generated from the endpoint table (src/resources/) by src/resources/surface.rs:
// edit the table, then run `UPDATE=1 cargo test -q --lib surface`.

import type {
  CallOptions,
  DateInput,
  FlatPage,
  HalPage,
  Id,
  ListResult,
  Open,
  PageParams,
  Upload,
  AccessGroup,
  Authorization,
  AuthorizationRequest,
  Connection,
  Document,
  Folder,
  Interaction,
  KnowledgeBaseQuestion,
  ProductLine,
  Questionnaire,
  QuestionnaireRequest,
  Review,
  SingleQuestionAnswer,
} from "./records.js";
export * from "./records.js";

// Known values; other strings are accepted and kept as sent.
export type AuthorizationRequestStatus = Open<"initial" | "requested" | "approved" | "ignored">;
export type AuthorizationStatus = Open<"gated" | "authorized" | "revoked">;
export type QuestionnaireStatus = Open<"processing" | "started" | "ready_for_review" | "approved" | "completed">;
export type KnowledgeBaseQuestionStatus = Open<"verified" | "unverified">;
export type InteractionType = Open<"Document" | "Q & A">;
export type OriginalFormat = Open<"spreadsheet" | "file" | "portal">;
export type QuestionnaireType = Open<"security_questionnaire" | "rfp">;
export type AccessLevel = Open<"public" | "protected" | "need_to_know" | "internal">;
export type Certification = Open<"soc2-type-2" | "iso-27001" | "hipaa" | "gdpr" | "pci">;

// Params: one interface per endpoint that takes any, named after the endpoint.

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
/** At least one of `request_id`, `email` is required. */
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
export interface ExchangeDocumentsCreateParams {
  name: string;
  file: Upload;
  description?: string;
  certification?: Certification;
  featured?: boolean;
  folder_id?: Id;
  access_level?: AccessLevel;
  product_line_ids?: Id[];
  access_group_ids?: Id[];
  disable_downloads?: boolean;
  use_for_question_answering?: boolean;
  /** The upload's file name (default: the `File`'s own name, else "upload"). */
  filename?: string;
}
export interface ExchangeDocumentsUpdateParams {
  name?: string;
  /** A new version of the file. */
  file?: Upload;
  description?: string;
  certification?: Certification;
  featured?: boolean;
  folder_id?: Id;
  access_level?: AccessLevel;
  product_line_ids?: Id[];
  access_group_ids?: Id[];
  disable_downloads?: boolean;
  use_for_question_answering?: boolean;
  /** The upload's file name (default: the `File`'s own name, else "upload"). */
  filename?: string;
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
export interface KnowledgeBaseQuestionsListParams extends PageParams {
  status?: KnowledgeBaseQuestionStatus;
}
export interface InteractionsListParams extends PageParams {
  type?: InteractionType;
  created_at_start?: DateInput;
  created_at_end?: DateInput;
}
export interface InteractionsByConnectionParams extends PageParams {
  type?: InteractionType;
  created_at_start?: DateInput;
  created_at_end?: DateInput;
}
export interface InteractionsByDocumentParams extends PageParams {
  type?: InteractionType;
  created_at_start?: DateInput;
  created_at_end?: DateInput;
}
export interface InteractionsByQuestionParams extends PageParams {
  type?: InteractionType;
  created_at_start?: DateInput;
  created_at_end?: DateInput;
}
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

// Pages: what awaiting a list method resolves with.

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

// Namespaces. Every method also takes an optional last `CallOptions`; a missing required
// parameter or a wrong type rejects with `ConveyorValidationError` before anything is sent.

/** The Trust Center: connections, access requests, authorizations, access groups, folders, documents. */
export interface ExchangeResource {
  connections: {
    /** Companies that connected to your Trust Center, optionally filtered by domain. */
    list(params?: ExchangeConnectionsListParams, options?: CallOptions): ListResult<Connection, ConnectionsPage>;
  };
  authorizationRequests: {
    /** Access requests, optionally filtered by requester email and status. */
    list(params?: ExchangeAuthorizationRequestsListParams, options?: CallOptions): ListResult<AuthorizationRequest, AuthorizationRequestsPage>;
    /** One access request. */
    get(id: Id, options?: CallOptions): Promise<AuthorizationRequest>;
    /** Ignores an access request on behalf of `reviewer_email`. */
    ignore(id: Id, params: ExchangeAuthorizationRequestsIgnoreParams, options?: CallOptions): Promise<AuthorizationRequest>;
    /** The open access requests waiting for a review. */
    queue(params?: ExchangeAuthorizationRequestsQueueParams, options?: CallOptions): ListResult<AuthorizationRequest, AuthorizationRequestsPage>;
  };
  authorizations: {
    /** Authorizations (granted or gated access), optionally filtered by email and status. */
    list(params?: ExchangeAuthorizationsListParams, options?: CallOptions): ListResult<Authorization, AuthorizationsPage>;
    /** Grants access, approving a request (`request_id`) or inviting someone (`email`). */
    create(params: ExchangeAuthorizationsCreateParams, options?: CallOptions): Promise<Authorization>;
    /** Changes an authorization's status or replaces its access groups. */
    update(id: Id, params?: ExchangeAuthorizationsUpdateParams, options?: CallOptions): Promise<Authorization>;
    /** Revokes an authorization. */
    revoke(id: Id, options?: CallOptions): Promise<Authorization>;
  };
  accessGroups: {
    /** Access groups (sets of documents granted together). */
    list(params?: ExchangeAccessGroupsListParams, options?: CallOptions): ListResult<AccessGroup, AccessGroupsPage>;
  };
  folders: {
    /** Document folders. */
    list(params?: ExchangeFoldersListParams, options?: CallOptions): ListResult<Folder, FoldersPage>;
    /** Creates a folder. */
    create(params: ExchangeFoldersCreateParams, options?: CallOptions): Promise<Folder>;
    /** Deletes a folder. */
    delete(id: Id, options?: CallOptions): Promise<void>;
  };
  documents: {
    /** Trust Center documents. */
    list(params?: ExchangeDocumentsListParams, options?: CallOptions): ListResult<Document, DocumentsPage>;
    /** Uploads a document (multipart). */
    create(params: ExchangeDocumentsCreateParams, options?: CallOptions): Promise<Document>;
    /** Changes a document's fields, or uploads a new version with `file` (multipart). */
    update(id: Id, params?: ExchangeDocumentsUpdateParams, options?: CallOptions): Promise<Document>;
    /** Deletes a document. */
    delete(id: Id, options?: CallOptions): Promise<void>;
  };
}

/** Security questionnaires. */
export interface QuestionnairesResource {
  /** Questionnaires, filtered by status, product lines and date ranges. */
  list(params?: QuestionnairesListParams, options?: CallOptions): ListResult<Questionnaire, QuestionnairesPage>;
  /** Submits a questionnaire (a spreadsheet or file upload, or a portal URL). */
  create(params: QuestionnairesCreateParams, options?: CallOptions): Promise<Questionnaire>;
}

/** The knowledge base of approved answers. */
export interface KnowledgeBaseResource {
  questions: {
    /** Knowledge-base questions and their approved answers, optionally by status. */
    list(params?: KnowledgeBaseQuestionsListParams, options?: CallOptions): ListResult<KnowledgeBaseQuestion, KnowledgeBaseQuestionsPage>;
  };
}

/** What visitors did with documents and answers. */
export interface InteractionsResource {
  /** Every interaction, filtered by type and creation time. */
  list(params?: InteractionsListParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  /** The interactions of one connection. */
  byConnection(id: Id, params?: InteractionsByConnectionParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  /** The interactions with one document. */
  byDocument(id: Id, params?: InteractionsByDocumentParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
  /** The interactions with one knowledge-base question. */
  byQuestion(id: Id, params?: InteractionsByQuestionParams, options?: CallOptions): ListResult<Interaction, InteractionsPage>;
}

/** Product lines (used to scope documents, answers and questionnaires). */
export interface ProductLinesResource {
  /** Product lines (used to scope documents, answers and questionnaires). */
  list(params?: ProductLinesListParams, options?: CallOptions): ListResult<ProductLine, ProductLinesPage>;
}

/** One question answered from the knowledge base. */
export interface SingleQuestionResource {
  /** Answers one question from the knowledge base. */
  ask(params: SingleQuestionAskParams, options?: CallOptions): Promise<SingleQuestionAnswer>;
}

/** Vendor reviews. */
export interface ReviewsResource {
  /** Requests a vendor review. */
  create(params: ReviewsCreateParams, options?: CallOptions): Promise<Review>;
}

/** Questionnaire requests from external systems. */
export interface QuestionnaireRequestsResource {
  /** Files a questionnaire request from an external system (multipart). */
  create(params?: QuestionnaireRequestsCreateParams, options?: CallOptions): Promise<QuestionnaireRequest>;
}

/** The namespace getters of `ConveyorClient`. */
export interface ConveyorResources {
  /** The Trust Center: connections, access requests, authorizations, access groups, folders, documents. */
  readonly exchange: ExchangeResource;
  /** Security questionnaires. */
  readonly questionnaires: QuestionnairesResource;
  /** The knowledge base of approved answers. */
  readonly knowledgeBase: KnowledgeBaseResource;
  /** What visitors did with documents and answers. */
  readonly interactions: InteractionsResource;
  /** Product lines (used to scope documents, answers and questionnaires). */
  readonly productLines: ProductLinesResource;
  /** One question answered from the knowledge base. */
  readonly singleQuestion: SingleQuestionResource;
  /** Vendor reviews. */
  readonly reviews: ReviewsResource;
  /** Questionnaire requests from external systems. */
  readonly questionnaireRequests: QuestionnaireRequestsResource;
}

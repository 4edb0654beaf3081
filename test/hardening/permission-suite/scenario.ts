/**
 * The words of the generated permission suite: one Scenario is one operation tried by one
 * viewer in one relation to the objects it names. Only types live here, so that the oracle
 * (oracle.ts) depends on nothing but these words and PERMISSIONS.md.
 */
export type WsRole = 'ADMIN' | 'MEMBER' | 'WORKFORCE_MANAGER' | 'TASKER';
export type ResRole = 'ADMIN' | 'TEAM_MANAGER' | 'REVIEWER' | 'ANNOTATOR' | 'ANNOTATOR_REVIEWER' | 'USER';
export type ResType = 'PROJECT' | 'DATASET' | 'ONTOLOGY';
export type JobType = 'DATA_IMPORT' | 'LABEL_IMPORT' | 'MODEL_TRAINING';

export const WS_ROLES: readonly WsRole[] = ['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'];
export const RES_TYPES: readonly ResType[] = ['PROJECT', 'DATASET', 'ONTOLOGY'];
export const JOB_TYPES: readonly JobType[] = ['DATA_IMPORT', 'LABEL_IMPORT', 'MODEL_TRAINING'];

/**
 * The viewer's membership of the workspace the operation is about. NONE: not a member there,
 * but holding `role` in another workspace of their own; REMOVED: was a member with `role`.
 */
export type ViewerStatus = 'JOINED' | 'INVITED' | 'DECLINED' | 'NONE' | 'REMOVED';
export interface Viewer {
  role: WsRole;
  status: ViewerStatus;
}

/**
 * Where an object named by id lives: `here` in the workspace the operation is about,
 * `elsewhere` in another workspace (one the viewer is not a member of), `nowhere` (an id
 * that names nothing).
 */
export type Place = 'here' | 'elsewhere' | 'nowhere';

/** The viewer's ties to one resource (all in the resource's workspace). */
export interface ResourceTie {
  /** Their direct role. */
  direct: ResRole | null;
  /** Roles of groups they are a MEMBER of that hold a role on the resource. */
  groups: ResRole[];
  /** A role held by a group they only MANAGE (managers do not get it). */
  managedGroup: ResRole | null;
}

/** The viewer's ties to one group. */
export interface GroupTie {
  member: boolean;
  manager: boolean;
  /** The viewer made the group. */
  creator: boolean;
}

/** The person an operation acts on (removeUser, changeUserRole, user(id), assignUser, group people). */
export interface Subject {
  /** The viewer themselves (then role and status are the viewer's). */
  self: boolean;
  role: WsRole;
  status: 'JOINED' | 'INVITED' | 'DECLINED' | 'REMOVED';
  place: Place;
  /** Their email's domain is one of the workspace's internal domains. */
  internal: boolean;
  /** Their direct role on the resource named (assignUser, unassignUser). */
  directRole: ResRole | null;
}

export interface Scenario {
  /** `Type.field` of the schema. */
  op: string;
  /** null: no token at all. */
  viewer: Viewer | null;
  /** Where the main object named lives. */
  place?: Place;
  resourceType?: ResType;
  resource?: ResourceTie;
  /** A second resource of the same type named in the same call (bulk inputs). */
  resource2?: ResourceTie;
  /** The resource role given (assignUser, assignGroup). */
  role?: ResRole;
  group?: GroupTie;
  /** assignGroup / unassignGroup: where the group lives. */
  groupPlace?: Place;
  subject?: Subject;
  /** The workspace role given (inviteUsers, changeUserRole). */
  wsRole?: WsRole;
  /** inviteUsers: the email invited is new, or already has a membership in this status (or had one, REMOVED). */
  invitee?: 'new' | 'INVITED' | 'JOINED' | 'DECLINED' | 'REMOVED';
  /** createGroup: who is named in memberIds / managerIds. */
  people?: 'none' | 'member' | 'internal-manager' | 'external-manager' | 'member-elsewhere';
  /** Issue tags: a workspace-level tag or a project's own. */
  tagLevel?: 'workspace' | 'project';
  /** setProjectTags, createIssue: where the tag named lives (absent: no tag named). */
  tagPlace?: Place;
  jobType?: JobType;
  /** The job was started by the viewer (else by someone else). */
  startedByViewer?: boolean;
  /** The API key is the viewer's (else someone else's). */
  ownKey?: boolean;
  /** Workspace.projects with a tag filter (tagIds). */
  tagFilter?: boolean;
}

/** What the policy gate decides, and what the API answers. */
export type Verdict = 'allow' | 'FORBIDDEN' | 'NOT_FOUND' | 'UNAUTHENTICATED';
export type Outcome = Verdict | 'CONFLICT' | 'BAD_USER_INPUT';

export interface Expectation {
  /** The decision of the rule that guards the field (@auth), given the object the field reaches. */
  gate: Verdict;
  /**
   * What the client sees: the gate's refusal, or past the gate a lookup that finds nothing
   * the viewer may see (null / not listed / NOT_FOUND), or a refusal that is not about
   * permission (CONFLICT, BAD_USER_INPUT).
   */
  api: Outcome;
}

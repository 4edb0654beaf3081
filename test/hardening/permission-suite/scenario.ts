/**
 * The words of the generated permission suite: one Scenario is one operation tried by one
 * viewer in one relation to the objects it names. Only types live here, so that the oracle
 * (oracle.ts) depends on nothing but these words and docs/permissions.md.
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
  people?: CreateGroupPeople;
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

export type CreateGroupPeople =
  | 'none'
  | 'member'
  | 'internal-manager'
  | 'external-manager'
  | 'tasker-manager'
  | 'member-elsewhere'
  | 'member-DECLINED'
  | 'member-REMOVED'
  | 'self-member'
  | 'self-manager';

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
  /**
   * Two refusals at once that the documents do not order (the operation's rule refuses, and
   * an object it names is one the viewer may not see): either answer is right, since both
   * change nothing and neither tells a hidden id from an unknown one. Then `gate` and `api`
   * are one of them and `alt` the other.
   */
  alt?: Verdict;
  /** Another decision of the gate alone that is right as well (a field of an object the API never reaches). */
  gateAlt?: Verdict;
}

// ---- The other kinds of generated case ---------------------------------------------------------

/** A person named by an input or listed, other than by their relation to the viewer. */
export interface PersonSpec {
  /** The viewer themselves (role and status are then the viewer's). */
  self?: boolean;
  role: WsRole;
  status: 'JOINED' | 'INVITED' | 'DECLINED' | 'REMOVED';
  /** Their email's domain is one of the workspace's internal domains. */
  internal: boolean;
  place: Place;
}

/**
 * A grant (a role held on a resource) shown in a list: the viewer's own, directly or through
 * one of the groups of their ResourceTie, or another person's, directly or through a group
 * `GX` the viewer is tied to as `groupTie` says (a member of GX holds its role too).
 */
export type Grant =
  | { holder: 'self'; via: 'direct' }
  | { holder: 'self'; via: 'group'; index: number }
  /** A group the viewer only manages: managers hold nothing through it (so no grant is listed). */
  | { holder: 'self'; via: 'managed' }
  | { holder: 'other'; person: PersonSpec; via: 'direct'; role: ResRole }
  | { holder: 'other'; person: PersonSpec; via: 'group'; groupTie: GroupTie; role: ResRole };

export type JobStatus = 'PROCESSING' | 'ERROR' | 'CANCELLED' | 'SUCCESS';

/** One job: started by the viewer or by someone else (`starter`), on a resource the viewer is tied to. */
export interface JobSpec {
  type: JobType;
  byViewer: boolean;
  /** Who started it when the viewer did not. */
  starter?: PersonSpec;
  status: JobStatus;
  /** The viewer's ties to the job's dataset (DATA_IMPORT) or project. */
  resource: ResourceTie;
  place: Place;
}

/** LIST CONTENTS: whether one object is in one list (or nested list, count, feed, error detail). */
export interface ListScenario {
  /** `Type.field` of the list, or `Mutation.removeUser.resources` for REPLACEMENT_REQUIRED's. */
  list: string;
  viewer: Viewer | null;
  /** The person listed (people lists), or whose list it is (WorkspaceUser.*). */
  person?: PersonSpec;
  /** The viewer's tie to the group listed, or whose list it is. */
  group?: GroupTie;
  /** WorkspaceUser.groups: how `person` is tied to the group. */
  personTie?: 'member' | 'manager';
  resourceType?: ResType;
  /** The viewer's own ties to the resource listed, or whose list it is. */
  resource?: ResourceTie;
  grant?: Grant;
  job?: JobSpec;
  /** Job.retryOf: the job retried. */
  retried?: JobSpec;
  /** Where the object listed lives. */
  place?: Place;
  /** Workspace.apiKeys: the key is the viewer's own. */
  ownKey?: boolean;
  /** Workspace.users asked without `filter.status` (REMOVED people are then left out). */
  unfiltered?: boolean;
}

/** EFFECTS: an operation whose input has another operation's effect. */
export interface EffectScenario {
  op: 'Mutation.createGroup' | 'Mutation.updateGroup' | 'Mutation.removeUser' | 'Mutation.retryJob';
  viewer: Viewer | null;
  /** The people the scenario names, by slot ('self' is the viewer). */
  people?: Record<string, PersonSpec>;
  /** updateGroup: the viewer's tie to the group, and who is in it now (slots). */
  group?: GroupTie;
  membersNow?: string[];
  managersNow?: string[];
  /** The lists given (slots); absent: not given. */
  memberIds?: string[];
  managerIds?: string[];
  /** removeUser: the person removed, the resources of which they are the only direct ADMIN, and the replacement's slot. */
  subject?: PersonSpec;
  handedOver?: Array<{ type: ResType; tie: ResourceTie }>;
  replacement?: string;
  /** retryJob. */
  job?: JobSpec;
}

/** What the oracle says of an effect case: the gate, the API, and the implied operations alone. */
export interface EffectExpectation extends Expectation {
  /** Whether every operation the inputs stand for passes its rule (null: not asked, e.g. the viewer has not joined). */
  effects: boolean | null;
}

/** CAPABILITIES: one `viewerCan` flag (one value of a list-valued one) of one object. */
export interface CapabilityScenario {
  /** `Type.flag`, e.g. `Group.manageMembers`, `Resource.assignableRoles`. */
  flag: string;
  /** A list-valued flag's value asked about (a role, a job type). */
  value?: string;
  viewer: Viewer | null;
  person?: Subject;
  group?: GroupTie;
  resourceType?: ResType;
  resource?: ResourceTie;
  job?: JobSpec;
}

import { oracle, seesGroup, seesJob, seesPerson, seesResource } from './oracle';
import type { CapabilityScenario, ResType, Scenario, Subject, Viewer, WsRole } from './scenario';

/**
 * THE ORACLE OF CAPABILITIES: each `viewerCan` flag against the outcome the gate oracle gives for
 * the operation it names (docs/permissions.md: "Capabilities (viewerCan on each object) come from the
 * same rules"; decision 14: "true exactly when the named operation's rule (and effects) would let
 * the call through for that object"). The inputs asked about are ones that raise no other
 * refusal (a new email, a person of the workspace, a name free), so only the rules speak.
 * Job flags also need the job's state; user flags are rules only. Imports nothing from src/.
 */

type Ask = Omit<Scenario, 'viewer'>;
const passes = (viewer: Viewer | null, ask: Ask) => oracle({ ...ask, viewer }).api === 'allow';

/** A person of the workspace the viewer may name, who holds nothing (the person a role is given to, a group gets). */
const SOMEONE: Subject = { self: false, role: 'MEMBER', status: 'JOINED', place: 'here', internal: true, directRole: null };

const RESOURCE_TYPE_NAME: Record<ResType, string> = { PROJECT: 'Project', DATASET: 'Dataset', ONTOLOGY: 'Ontology' };

export function capabilityOracle(s: CapabilityScenario): boolean {
  const v = s.viewer;
  const [type, flag] = s.flag.split('.');
  switch (type) {
    case 'Workspace':
      return workspaceFlag(v, flag, s.value);
    case 'WorkspaceUser': {
      const p = s.person!;
      // "the workspace roles other than their current one that changeUserRole would accept"; remove: removeUser's rule.
      const roles = (['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as WsRole[]).filter((r) => r !== p.role);
      const accepts = (r: WsRole) => passes(v, { op: 'Mutation.changeUserRole', subject: p, wsRole: r });
      if (flag === 'remove') return passes(v, { op: 'Mutation.removeUser', subject: p });
      if (flag === 'changeRole') return roles.some(accepts);
      return roles.includes(s.value as WsRole) && accepts(s.value as WsRole);
    }
    case 'Resource':
      return resourceFlag(v, flag, s);
    case 'Group': {
      const group = s.group!;
      switch (flag) {
        case 'update':
          return passes(v, { op: 'Mutation.updateGroup', group });
        case 'delete':
          return passes(v, { op: 'Mutation.deleteGroup', group });
        case 'manageMembers':
          // "add or remove people other than oneself".
          return passes(v, { op: 'Mutation.addGroupMembers', group, subject: SOMEONE }) && passes(v, { op: 'Mutation.removeGroupMembers', group, subject: SOMEONE });
        case 'manageManagers':
          return passes(v, { op: 'Mutation.addGroupManagers', group, subject: SOMEONE }) && passes(v, { op: 'Mutation.removeGroupManagers', group, subject: SOMEONE });
        case 'seeManagers':
          return passes(v, { op: 'Group.managers', group });
      }
      break;
    }
    case 'Job': {
      const j = s.job!;
      const on = { startedByViewer: j.byViewer, resource: j.resource, jobType: j.type };
      // "report/cancel: PROCESSING; retry: ERROR or CANCELLED with its project/dataset still there".
      if (flag === 'report') return j.status === 'PROCESSING' && passes(v, { op: 'Mutation.reportJobProgress', ...on });
      if (flag === 'cancel') return j.status === 'PROCESSING' && passes(v, { op: 'Mutation.cancelJob', ...on });
      if (flag === 'retry') return (j.status === 'ERROR' || j.status === 'CANCELLED') && passes(v, { op: 'Mutation.retryJob', ...on });
      break;
    }
  }
  throw new Error(`the capability oracle has no rule for ${s.flag}`);
}

function workspaceFlag(v: Viewer | null, flag: string, value?: string): boolean {
  switch (flag) {
    case 'update':
      return passes(v, { op: 'Mutation.updateWorkspace' });
    case 'inviteRoles':
      return passes(v, { op: 'Mutation.inviteUsers', wsRole: value as WsRole, invitee: 'new' });
    case 'seeMembers':
      return passes(v, { op: 'Workspace.users' });
    case 'createResources':
      return passes(v, { op: 'Mutation.createProject' });
    case 'createGroup':
      return passes(v, { op: 'Mutation.createGroup', people: 'none' });
    case 'manageProjectTags':
      return passes(v, { op: 'Mutation.createProjectTag' });
    case 'manageIssueTags':
      return passes(v, { op: 'Mutation.createIssueTag', tagLevel: 'workspace' });
    case 'seeAuditLog':
      return passes(v, { op: 'Workspace.auditLog' });
    case 'manageWebhooks':
      return passes(v, { op: 'Mutation.createWebhook' });
  }
  throw new Error(`no workspace flag ${flag}`);
}

function resourceFlag(v: Viewer | null, flag: string, s: CapabilityScenario): boolean {
  const type = s.resourceType!;
  const resource = s.resource!;
  const project = type === 'PROJECT';
  switch (flag) {
    case 'seeMembers':
      return passes(v, { op: `${RESOURCE_TYPE_NAME[type]}.members`, resource });
    case 'assignableRoles': {
      // "the roles assignUser would accept for a person who holds no ADMIN role there". READING: a person the viewer may
      // name: anyone of the workspace, or for a TASKER (who sees no one else) themselves as if they held nothing there.
      const someone = v?.role === 'TASKER' ? { ...SOMEONE, self: true, role: 'TASKER' as const } : SOMEONE;
      return passes(v, { op: 'Mutation.assignUser', resourceType: type, resource, role: s.value as any, subject: someone });
    }
    case 'startJobTypes': {
      // The job types that work on this type of resource (DATA_IMPORT a dataset; the others a project).
      const fits = s.value === 'DATA_IMPORT' ? type === 'DATASET' : type === 'PROJECT';
      return fits && passes(v, { op: 'Mutation.startJob', jobType: s.value as any, resource });
    }
    case 'setTags':
      return project && passes(v, { op: 'Mutation.setProjectTags', resource, tagPlace: 'here' });
    case 'createIssueTag':
      return project && passes(v, { op: 'Mutation.createIssueTag', tagLevel: 'project', resource });
    case 'createIssue':
      return project && passes(v, { op: 'Mutation.createIssue', resource });
  }
  throw new Error(`no resource flag ${flag}`);
}

/** Whether the viewer reaches the object at all (else its flags are not read through the API). */
export function reachable(s: CapabilityScenario): boolean {
  const v = s.viewer;
  if (!v || v.status !== 'JOINED') return false;
  const [type] = s.flag.split('.');
  switch (type) {
    case 'Workspace':
      return true;
    case 'WorkspaceUser':
      return s.person!.place === 'here' && seesPerson(v.role, s.person!.self);
    case 'Resource':
      return seesResource(v.role, s.resource!);
    case 'Group':
      return seesGroup(v.role, s.group!);
    case 'Job':
      return seesJob(v.role, s.job!.byViewer);
  }
  return false;
}

import {
  oracle,
  seesGroup,
  seesJob,
  seesManagers,
  seesPerson,
  seesResource,
  seesResourceMembers,
} from './oracle';
import type { Grant, ListScenario, ResourceTie, ResType, Viewer } from './scenario';

/**
 * THE ORACLE OF LISTS: whether one object is in one list, nested list, count, feed or error
 * detail, from docs/permissions.md alone ("The same rule everywhere: the rule that decides whether
 * the viewer may see one object also decides which objects every list, nested list, search,
 * count (totalCount), feed and error detail holds"). Like oracle.ts it imports nothing from src/.
 */

/** The viewer's ties to the resource, counting the grant's group when the viewer is a member of it (members hold its role). */
export function viewerTie(s: ListScenario): ResourceTie {
  const tie = need(s.resource, 'resource');
  const g = s.grant;
  if (g && g.holder === 'other' && g.via === 'group' && g.groupTie.member) return { ...tie, groups: [...tie.groups, g.role] };
  return tie;
}

/** The grant exists: a group the viewer only manages gives them nothing ("A group's managers do not get the roles the group holds"). */
const grantExists = (g: Grant) => !(g.holder === 'self' && g.via === 'managed');

/** The grant's group, if the viewer may see it (a grant through a group the viewer may not see is left out: decision 5). */
function viaVisible(viewer: Viewer, g: Grant): boolean {
  if (g.holder === 'other' && g.via === 'group') return seesGroup(viewer.role, g.groupTie);
  return true; // direct, or one of the viewer's own groups (they belong to it)
}

const typeOf = (list: string): ResType => (list.startsWith('Project.') ? 'PROJECT' : list.startsWith('Dataset.') ? 'DATASET' : 'ONTOLOGY');

export function listOracle(s: ListScenario): boolean {
  // "A workspace the viewer has not joined does not exist for them": nothing of it is listed.
  if (!s.viewer || s.viewer.status !== 'JOINED') return false;
  const viewer = s.viewer;
  const role = viewer.role;
  const here = (s.place ?? 'here') === 'here';

  switch (s.list) {
    // ---- People --------------------------------------------------------------------------
    case 'Workspace.users': {
      // "see other members (workspace.users, user, any list of other people): TASKER no": the list is refused to a TASKER
      // (FORBIDDEN), even their own line. REMOVED people are listed when asked for by status, and only then (decision 1).
      const p = need(s.person, 'person');
      if (p.status === 'REMOVED' && s.unfiltered) return false;
      return p.place === 'here' && role !== 'TASKER';
    }
    case 'Workspace.user': {
      // One person: a TASKER sees only themselves; a REMOVED person is answered to those who see people (decision 1).
      const p = need(s.person, 'person');
      return p.place === 'here' && seesPerson(role, !!p.self);
    }

    // ---- Groups --------------------------------------------------------------------------
    case 'Workspace.groups':
    case 'Workspace.group':
      // "see every group: ADMIN, WORKFORCE_MANAGER yes; MEMBER, TASKER own" (belong to or manage).
      return here && seesGroup(role, need(s.group, 'group'));
    case 'WorkspaceUser.groups': {
      // A person's groups, seen from their WorkspaceUser (which the viewer must see): a group they belong to is
      // listed when the viewer sees the group (as its members list would show them); a group they manage only
      // when the viewer may see that group's managers ("see a group's managers": its managers list would show them).
      const p = need(s.person, 'person');
      const g = need(s.group, 'group');
      if (!seesPerson(role, !!p.self) || !seesGroup(role, g)) return false;
      return need(s.personTie, 'personTie') === 'member' || seesManagers(role, g);
    }
    case 'Group.members':
      // "see other members: TASKER no" (decision 4: null with FORBIDDEN), of a group the viewer sees.
      return seesGroup(role, need(s.group, 'group')) && role !== 'TASKER';
    case 'Workspace.users(groupId)':
      // The people list (refused to a TASKER) filtered by a group: its members as that group's members list
      // shows them ("the rule that decides whether the viewer may see one object also decides which objects
      // every list, search ... holds"): nobody when the viewer does not see the group.
      return role !== 'TASKER' && seesGroup(role, need(s.group, 'group'));
    case 'Group.managers':
      // "see a group's managers: ADMIN yes; MEMBER groups they manage; WORKFORCE_MANAGER groups they created or manage; TASKER no".
      return seesManagers(role, need(s.group, 'group'));

    // ---- Resources and grants -------------------------------------------------------------
    case 'Workspace.projects':
    case 'Workspace.datasets':
    case 'Workspace.ontologies':
    case 'Workspace.project':
    case 'Workspace.dataset':
    case 'Workspace.ontology':
      // "see every project, dataset, ontology: ADMIN yes; others those they hold a role on" (directly or as a group's member).
      return here && seesResource(role, need(s.resource, 'resource'));
    case 'Project.members':
    case 'Dataset.members':
    case 'Ontology.members': {
      // "see its members: workspace ADMIN, its ADMINs, and (projects) its TEAM_MANAGERs; TASKERs never": else the list is
      // null (FORBIDDEN, decision 4) and shows not even the viewer's own grant. A grant through a group the viewer may
      // not see is left out (decision 5).
      const g = need(s.grant, 'grant');
      const tie = viewerTie(s);
      return grantExists(g) && seesResourceMembers(role, tie, typeOf(s.list)) && viaVisible(viewer, g);
    }
    case 'WorkspaceUser.assignments': {
      // A person's grants, from their WorkspaceUser (which the viewer must see): a grant names a resource (the viewer
      // must see it) and who holds a role there, which is "see its members" unless the person is the viewer; through a
      // group the viewer may not see: left out (decision 5).
      const g = need(s.grant, 'grant');
      const self = g.holder === 'self';
      const tie = viewerTie(s);
      const type = need(s.resourceType, 'resourceType');
      if (!grantExists(g) || !seesPerson(role, self) || !seesResource(role, tie)) return false;
      return (self || seesResourceMembers(role, tie, type)) && viaVisible(viewer, g);
    }
    case 'Group.assignments': {
      // READING: a group's role on a resource says who holds it there ("A person's effective role ... the highest role
      // of any group they are a member of"): the group's members. So it is shown, of a group and resource the viewer
      // sees, to a member of the group (it is their own grant, which their own assignments show) and to whoever may
      // "see its members" of the resource.
      const g = need(s.grant, 'grant');
      if (g.holder !== 'other' || g.via !== 'group') throw new Error('Group.assignments lists grants through the group');
      const tie = viewerTie(s);
      if (!seesGroup(role, g.groupTie) || !seesResource(role, tie)) return false;
      return g.groupTie.member || seesResourceMembers(role, tie, need(s.resourceType, 'resourceType'));
    }
    case 'WorkspaceUser.soleAdminOf':
    case 'Mutation.removeUser.resources': {
      // "The error names only the resources the caller may see (extensions.resources) and counts the others
      // (extensions.hiddenCount)"; soleAdminOf: "Those the viewer may see", of a person the viewer sees. The error
      // comes only past removeUser's own rule.
      const p = need(s.person, 'person');
      const tie = need(s.resource, 'resource');
      if (s.list === 'Mutation.removeUser.resources') {
        const gate = oracle({ op: 'Mutation.removeUser', viewer, subject: { self: !!p.self, role: p.role, status: p.status, place: p.place, internal: p.internal, directRole: 'ADMIN' } });
        if (gate.gate !== 'allow') return false;
      } else if (!seesPerson(role, !!p.self)) return false;
      return seesResource(role, tie);
    }
    case 'IssueTag.project':
      // A project-level tag's project, reached through the project's issue tags: the project the viewer sees.
      return seesResource(role, need(s.resource, 'resource'));

    // ---- Jobs ------------------------------------------------------------------------------
    case 'Workspace.jobs':
    case 'Workspace.job':
    case 'Subscription.jobEvents': {
      // "see every job in the Activity Center: ADMIN yes; others own"; the feed: "every change of every job the viewer may see".
      const j = need(s.job, 'job');
      return j.place === 'here' && seesJob(role, j.byViewer);
    }
    case 'Job.retryOf':
      // The job retried, when the viewer may see it (null otherwise), of a job they see.
      return seesJob(role, need(s.job, 'job').byViewer) && seesJob(role, need(s.retried, 'retried').byViewer);
    case 'Job.user':
      // Who started a job the viewer sees: themselves, or (ADMINs see every job) anyone, REMOVED people too.
      return seesJob(role, need(s.job, 'job').byViewer) && seesPerson(role, need(s.job, 'job').byViewer);
    case 'Workspace.apiKeys':
      // "own API keys": the viewer's own, whoever they are.
      return need(s.ownKey, 'ownKey');
    case 'Job.project':
    case 'Job.dataset': {
      // What a job the viewer sees works on, when the viewer may see it (null otherwise).
      const j = need(s.job, 'job');
      return seesJob(role, j.byViewer) && seesResource(role, j.resource);
    }
  }
  throw new Error(`the list oracle has no rule for ${s.list}`);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`list scenario lacks ${what}`);
  return value;
}

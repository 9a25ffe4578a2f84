/** `POST /access/ticket` (login and renewal) and `GET /access/permissions`. */
import { str, type RouteTable } from '../context';
import { PveHttpError } from '../http-error';

export function registerAccessRoutes(routes: RouteTable): void {
  routes.set('POST /access/ticket', ({ sim, params }) => {
    const username = String(params.username);
    const userid = sim.auth.login(username, String(params.password), str(params, 'realm'));
    if (userid === undefined) throw new PveHttpError(401, 'authentication failure');
    const { ticket, csrf } = sim.auth.issueTicket(userid);
    const auth = { userid, upidUser: userid, kind: 'ticket' as const };
    return {
      username: userid,
      ticket,
      CSRFPreventionToken: csrf,
      cap: groupCaps(sim.auth.permissionMap(auth)),
      ...(sim.auth.has(auth, '/', 'Sys.Audit') ? { clustername: sim.state.data.clusterName } : {}),
    };
  });

  routes.set('GET /access/permissions', ({ sim, auth, params }) => {
    const userid = str(params, 'userid');
    if (userid !== undefined && userid !== auth.userid && userid !== auth.upidUser) {
      sim.auth.require(auth, '/access', 'Sys.Audit');
    }
    return sim.auth.permissionMap(auth, str(params, 'path'));
  });
}

/** The ticket's `cap`: privileges grouped by kind (vms, storage, access, nodes, sdn, dc, mapping). */
function groupCaps(map: Record<string, Record<string, 1>>): Record<string, Record<string, 1>> {
  const caps: Record<string, Record<string, 1>> = {
    vms: {},
    storage: {},
    access: {},
    nodes: {},
    sdn: {},
    dc: {},
    mapping: {},
  };
  const all = new Set(Object.values(map).flatMap((privs) => Object.keys(privs)));
  for (const priv of all) {
    const kind = priv.startsWith('VM.')
      ? 'vms'
      : priv.startsWith('Datastore.')
        ? 'storage'
        : priv.startsWith('SDN.')
          ? 'sdn'
          : priv.startsWith('Mapping.')
            ? 'mapping'
            : /^(User|Group|Realm|Permissions)\./.test(priv)
              ? 'access'
              : priv.startsWith('Sys.')
                ? 'nodes'
                : 'dc';
    const bucket = caps[kind];
    if (bucket) bucket[priv] = 1;
  }
  return caps;
}

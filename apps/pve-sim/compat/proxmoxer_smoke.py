#!/usr/bin/env python3
"""Drive a Proxmox VE API (the pve-sim simulator, or a real cluster) with proxmoxer, unchanged.

Runs the same scenario twice, once with an API token and once with a password (ticket + CSRF):
nodes, cluster resources, /cluster/nextid, a full clone of a template to another node, the clone task
followed to its end, config changes (cores, memory, ipconfig0, ciuser), start, status/current, stop,
delete with purge, and a cluster firewall security group with a rule. Exits 1 with a clear message at
the first mismatch, 2 on bad usage.

Usage (secrets from the environment so they do not show in `ps`):
  PVE_PASSWORD=... PVE_TOKEN_SECRET=... python3 proxmoxer_smoke.py \
      --host 127.0.0.1 --port 8006 --ca-file pve-root-ca.pem --user root@pam --token-id root@pam!compat

The last line on stdout is a JSON summary (`{"ok": true, "runs": [...]}`) for the calling test.
"""

import argparse
import json
import os
import sys
import time
import traceback

try:
    import proxmoxer
    from proxmoxer import ProxmoxAPI
    from proxmoxer.core import ResourceException
except ImportError as exc:  # pragma: no cover - environment problem, reported clearly
    sys.stderr.write(
        "proxmoxer is not importable by %s (%s): install the Debian packages "
        "python3-proxmoxer python3-requests\n" % (sys.executable, exc)
    )
    sys.exit(3)


class Mismatch(Exception):
    """The API answered something a real PVE 9.2 would not have."""


def check(condition, message):
    if not condition:
        raise Mismatch(message)


def log(message):
    sys.stderr.write("[proxmoxer %s] %s\n" % (proxmoxer.__version__, message))
    sys.stderr.flush()


def node_of_upid(upid):
    check(isinstance(upid, str) and upid.startswith("UPID:"), "expected a UPID, got %r" % (upid,))
    parts = upid.split(":")
    # UPID:node:pid(8 hex):pstart(8 hex):starttime(8 hex):type:id:user:
    check(len(parts) == 9 and parts[8] == "", "malformed UPID %r" % upid)
    return parts[1]


def wait_task(api, upid, deadline_s, expect_node=None):
    """Poll nodes/<node>/tasks/<upid>/status until stopped; return the final status."""
    node = node_of_upid(upid)
    if expect_node is not None:
        check(node == expect_node, "task %s runs on %s, expected %s" % (upid, node, expect_node))
    deadline = time.monotonic() + deadline_s
    while True:
        status = api.nodes(node).tasks(upid).status.get()
        check(isinstance(status, dict), "task status is not an object: %r" % (status,))
        check(status.get("upid") == upid, "task status upid %r != %r" % (status.get("upid"), upid))
        if status.get("status") == "stopped":
            return status
        check(status.get("status") == "running", "unexpected task status %r" % (status,))
        if time.monotonic() > deadline:
            raise Mismatch("task %s still running after %ss" % (upid, deadline_s))
        time.sleep(0.1)


def wait_task_ok(api, upid, deadline_s, what, expect_node=None):
    status = wait_task(api, upid, deadline_s, expect_node)
    if status.get("exitstatus") != "OK":
        node = node_of_upid(upid)
        tail = api.nodes(node).tasks(upid).log.get(start=0, limit=50)
        lines = [entry.get("t") for entry in tail]
        raise Mismatch("%s failed: exitstatus %r, log %r" % (what, status.get("exitstatus"), lines))
    return status


def vm_resources(api):
    resources = api.cluster.resources.get(type="vm")
    check(isinstance(resources, list), "cluster/resources?type=vm is not a list")
    return {int(r["vmid"]): r for r in resources if r.get("type") == "qemu"}


def wait_vm_resource(api, vmid, deadline_s, accept):
    """A VM's row once it satisfies `accept`: status and name lag behind by pvestatd's ~10 s cache."""
    deadline = time.monotonic() + deadline_s
    while True:
        row = vm_resources(api).get(vmid)
        if row is not None and accept(row):
            return row
        if time.monotonic() > deadline:
            raise Mismatch("cluster/resources row of %d after %ss: %r" % (vmid, deadline_s, row))
        time.sleep(0.1)


def scenario(api, label, args, auth_user):
    """One full pass; returns a summary dict."""
    version = api.version.get()
    check(str(version.get("version", "")).startswith("9."), "version %r is not PVE 9" % (version,))

    nodes = api.nodes.get()
    check(isinstance(nodes, list) and nodes, "GET /nodes returned no nodes")
    online = sorted(n["node"] for n in nodes if n.get("status") == "online")
    check(len(online) >= 2, "need two online nodes, have %r" % online)

    everything = api.cluster.resources.get()
    types = set(r.get("type") for r in everything)
    check({"node", "qemu", "storage"} <= types, "cluster/resources types %r lack node/qemu/storage" % types)

    vms = vm_resources(api)
    template_id = args.template
    check(template_id in vms, "template %d not in cluster/resources" % template_id)
    template = vms[template_id]
    check(int(template.get("template", 0)) == 1, "VM %d is not a template: %r" % (template_id, template))
    source_node = template["node"]
    target_node = next(n for n in online if n != source_node)

    nextid = api.cluster.nextid.get()
    newid = int(nextid)
    check(newid >= 100 and newid not in vms, "nextid %r is taken or invalid" % (nextid,))
    name = "pxr-%s-%d" % (label, newid)
    log("%s: cloning %d (%s) to %d on %s" % (label, template_id, source_node, newid, target_node))

    upid = api.nodes(source_node).qemu(template_id).clone.post(
        newid=newid, name=name, full=1, target=target_node
    )
    check(":qmclone:%d:" % template_id in upid, "clone UPID %r is not a qmclone of %d" % (upid, template_id))
    user_in_upid = upid.split(":")[7]
    check(user_in_upid == auth_user, "UPID user %r, expected %r" % (user_in_upid, auth_user))
    wait_task_ok(api, upid, args.task_deadline, "clone", expect_node=source_node)
    clone_log = api.nodes(source_node).tasks(upid).log.get()
    check(clone_log and clone_log[-1].get("t") == "TASK OK", "clone log does not end in TASK OK: %r" % clone_log[-3:])
    listed = api.nodes(source_node).tasks.get(vmid=template_id, source="all", limit=50)
    check(upid in [t.get("upid") for t in listed], "clone task missing from nodes/%s/tasks" % source_node)

    vms = vm_resources(api)
    check(newid in vms, "clone %d missing from cluster/resources" % newid)
    check(vms[newid]["node"] == target_node, "clone on %s, expected %s" % (vms[newid]["node"], target_node))
    # The list itself is live; the name appears with the next refresh of the status cache.
    wait_vm_resource(api, newid, args.task_deadline, lambda row: row.get("name") == name)
    vm = api.nodes(target_node).qemu(newid)
    config = vm.config.get()
    check("lock" not in config, "clone still locked: %r" % config.get("lock"))
    check(config.get("name") == name, "config name %r" % config.get("name"))
    check("scsi0" in config and ("vm-%d-disk-0" % newid) in config["scsi0"], "clone disk %r" % config.get("scsi0"))

    # A bad value must come back as a 400 whose reason phrase carries PVE's message. proxmoxer 1.2 reads
    # `errors` from inside `data` (null on errors), so the per-parameter map is checked on the raw answer
    # through proxmoxer's own authenticated session.
    try:
        vm.config.put(cores="many")
        raise Mismatch("cores=many was accepted")
    except ResourceException as exc:
        check(exc.status_code == 400, "cores=many gave HTTP %s, expected 400" % exc.status_code)
        check("Parameter verification failed." in str(exc), "400 reason: %s" % exc)
    session = api._store["session"]
    raw = session.request("PUT", vm.config._store["base_url"], data={"cores": "many"})
    body = raw.json()
    check(raw.status_code == 400, "raw PUT cores=many: HTTP %s" % raw.status_code)
    check(body.get("data", "missing") is None, "400 body data %r, expected null" % (body.get("data"),))
    check("cores" in (body.get("errors") or {}), "400 body has no errors.cores: %r" % (body,))

    ipconfig0 = "ip=10.20.30.%d/24,gw=10.20.30.1" % (newid % 200 + 10)
    result = vm.config.put(cores=4, memory=4096, ipconfig0=ipconfig0, ciuser="compat")
    check(result is None, "PUT config returned %r, expected null" % (result,))
    config = vm.config.get()
    for key, want in (("cores", "4"), ("memory", "4096"), ("ipconfig0", ipconfig0), ("ciuser", "compat")):
        check(str(config.get(key)) == want, "config %s = %r, expected %r" % (key, config.get(key), want))
    check(isinstance(config.get("digest"), str) and len(config["digest"]) == 40, "config digest %r" % config.get("digest"))

    upid = vm.status.start.post()
    wait_task_ok(api, upid, args.task_deadline, "start", expect_node=target_node)
    current = vm.status.current.get()
    check(current.get("status") == "running", "status/current after start: %r" % current.get("status"))
    check(current.get("qmpstatus") == "running", "qmpstatus after start: %r" % current.get("qmpstatus"))
    check(int(current.get("vmid")) == newid, "status/current vmid %r" % current.get("vmid"))

    upid = vm.status.stop.post()
    wait_task_ok(api, upid, args.task_deadline, "stop", expect_node=target_node)
    current = vm.status.current.get()
    check(current.get("status") == "stopped", "status/current after stop: %r" % current.get("status"))

    upid = api.nodes(target_node).qemu(newid).delete(purge=1)
    wait_task_ok(api, upid, args.task_deadline, "destroy", expect_node=target_node)
    check(newid not in vm_resources(api), "VM %d still listed after delete" % newid)
    try:
        vm.config.get()
        raise Mismatch("config of deleted VM %d still readable" % newid)
    except ResourceException as exc:
        check(exc.status_code == 500, "config of deleted VM gave HTTP %s, expected 500" % exc.status_code)

    # Unique per run, so the script can be repeated against a long-running server; at most 18 characters.
    stamp = int(time.time() * 10) % (36 ** 4)
    suffix = "".join("0123456789abcdefghijklmnopqrstuvwxyz"[stamp // 36 ** i % 36] for i in range(4))
    group = "px-%s-%d-%s" % (label[:3], newid, suffix)
    check(len(group) <= 18, "group name %r too long" % group)
    check(api.cluster.firewall.groups.post(group=group, comment="proxmoxer %s" % label) is None, "group create")
    groups = [g["group"] for g in api.cluster.firewall.groups.get()]
    check(group in groups, "group %s missing from %r" % (group, groups))
    rule = dict(type="in", action="ACCEPT", proto="tcp", dport="22", enable=1, comment="ssh")
    check(api.cluster.firewall.groups(group).post(**rule) is None, "rule create")
    rules = api.cluster.firewall.groups(group).get()
    check(len(rules) == 1, "group %s has %d rules" % (group, len(rules)))
    got = rules[0]
    check(int(got.get("pos")) == 0, "rule pos %r" % got.get("pos"))
    for key in ("type", "action", "proto", "dport", "comment"):
        check(str(got.get(key)) == rule[key], "rule %s = %r, expected %r" % (key, got.get(key), rule[key]))
    check(int(got.get("enable")) == 1, "rule enable %r" % got.get("enable"))

    return {
        "auth": label,
        "user": auth_user,
        "template": template_id,
        "source": source_node,
        "vmid": newid,
        "name": name,
        "target": target_node,
        "ipconfig0": ipconfig0,
        "group": group,
    }


def check_tls_refused(args, token_user, token_name, token_secret):
    """With verification on and a CA bundle that does not hold the simulator's CA, the call must fail."""
    import requests

    api = ProxmoxAPI(
        args.host, port=args.port, user=token_user, token_name=token_name,
        token_value=token_secret, verify_ssl=requests.certs.where(), timeout=30,
    )
    try:
        api.version.get()
    except requests.exceptions.SSLError:
        return
    raise Mismatch("a CA bundle without the server's CA was accepted: TLS is not verified")


def main():
    env = os.environ
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default=env.get("PVE_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env.get("PVE_PORT", "8006")))
    parser.add_argument("--ca-file", default=env.get("PVE_CA_FILE"), help="PEM CA to verify the server with")
    parser.add_argument("--user", default=env.get("PVE_USER", "root@pam"))
    parser.add_argument("--token-id", default=env.get("PVE_TOKEN_ID"), help="user@realm!name")
    parser.add_argument("--template", type=int, default=int(env.get("PVE_TEMPLATE", "9000")))
    parser.add_argument("--task-deadline", type=float, default=float(env.get("PVE_TASK_DEADLINE", "60")))
    parser.add_argument("--only", choices=["token", "password"], help="run one auth mode only")
    args = parser.parse_args()
    password = env.get("PVE_PASSWORD")
    token_secret = env.get("PVE_TOKEN_SECRET")
    if not args.ca_file:
        parser.error("--ca-file (or PVE_CA_FILE) is required: verification stays on")

    modes = [args.only] if args.only else ["token", "password"]
    runs = []
    for mode in modes:
        if mode == "token":
            if not args.token_id or "!" not in args.token_id or not token_secret:
                parser.error("token mode needs --token-id user@realm!name and PVE_TOKEN_SECRET")
            token_user, token_name = args.token_id.split("!", 1)
            api = ProxmoxAPI(
                args.host, port=args.port, user=token_user, token_name=token_name,
                token_value=token_secret, verify_ssl=args.ca_file, timeout=30,
            )
            auth_user = args.token_id
            check_tls_refused(args, token_user, token_name, token_secret)
        else:
            if not password:
                parser.error("password mode needs PVE_PASSWORD")
            api = ProxmoxAPI(
                args.host, port=args.port, user=args.user, password=password,
                verify_ssl=args.ca_file, timeout=30,
            )
            ticket, csrf = api.get_tokens()
            check(ticket.startswith("PVE:%s:" % args.user), "ticket %r does not name %s" % (ticket[:40], args.user))
            check(csrf and ":" in csrf, "CSRFPreventionToken %r" % (csrf,))
            auth_user = args.user
        try:
            runs.append(scenario(api, mode, args, auth_user))
        except ResourceException as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == __file__]
            where = "line %d: %s" % (frames[-1].lineno, frames[-1].line) if frames else "?"
            raise Mismatch("%s auth: unexpected API error at %s: %s" % (mode, where, exc))
        log("%s auth: all checks passed" % mode)
    print(json.dumps({"ok": True, "proxmoxer": proxmoxer.__version__, "runs": runs}))


if __name__ == "__main__":
    try:
        main()
    except Mismatch as exc:
        sys.stderr.write("MISMATCH: %s\n" % exc)
        sys.exit(1)
    except Exception as exc:  # connection, TLS, JSON errors: still a clear one-line reason
        sys.stderr.write("ERROR: %s: %s\n" % (type(exc).__name__, exc))
        sys.exit(1)

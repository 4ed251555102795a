#!/bin/bash
# t_grub_provision.sh - the provisioning snippets in grub/ run for real:
# the kickstart %post section (its shell, as anaconda would run it) and
# the Ansible tasks (played by a small emulator of the command module's
# argv, register, changed_when, failed_when and when), each against a
# copy of a fixture sysroot, twice: the second run changes nothing.
. "$(dirname "$0")/lib.sh"

EXP=$FIXTURES/grub/expected/profile/el5-grub.conf

# --- kickstart %post --nochroot ---------------------------------------------
ks=$TOP/grub/kickstart-post.ks
sed -n '/^%post/,/^%end/p' "$ks" | sed '1d;$d' >"$T/post.sh"
grep -q -- '--sysroot "\$SYSROOT"' "$T/post.sh" && pass "kickstart: uses --sysroot" || fail "kickstart: no --sysroot"
grep -q '^%post --nochroot' "$ks" && pass "kickstart: %post --nochroot section" || fail "kickstart: no %post --nochroot"
cp -a "$TOP/grub/el5" "$T/sysimage"
HVCLOCK_SYSROOT_DIR=$T/sysimage HVCLOCK_BIN=$HVCLOCK bash "$T/post.sh" >"$T/ks1" 2>&1
cmp -s "$T/sysimage/boot/grub/grub.conf" "$EXP" && pass "kickstart: grub.conf patched as expected" ||
	{ fail "kickstart: grub.conf not as expected"; cat "$T/ks1"; }
[ -L "$T/sysimage/etc/grub.conf" ] && pass "kickstart: /etc/grub.conf still a symlink" || fail "kickstart: symlink lost"
ls "$T"/sysimage/boot/grub/grub.conf.hvclock-* >/dev/null 2>&1 && pass "kickstart: backup made" || fail "kickstart: no backup"
HVCLOCK_SYSROOT_DIR=$T/sysimage HVCLOCK_BIN=$HVCLOCK bash "$T/post.sh" >"$T/ks2" 2>&1
contains "$T/ks2" "already has the clock remedy" "kickstart: second run sees nothing to do"
[ "$(ls "$T"/sysimage/boot/grub/grub.conf.hvclock-* | wc -l)" = 1 ] && pass "kickstart: second run makes no backup" || fail "kickstart: extra backups"

# --- Ansible tasks --------------------------------------------------------------
cp -a "$TOP/grub/el5" "$T/guest"
PY=python3
$PY -c 'import yaml' 2>/dev/null || PY=/usr/bin/python3
cat >"$T/play.py" <<'EOP'
# Plays the tasks of an Ansible task file with the semantics the file
# relies on: command argv (Jinja "{{ var | default('x') }}" only),
# register (rc, stdout), changed_when / failed_when / when as Python
# expressions over the registered results. Prints one line per task.
import re, subprocess, sys, yaml

tasks = yaml.safe_load(open(sys.argv[1]))
vars_ = {"hvclock_bin": sys.argv[2]}
results = {}

def render(s):
    def sub(m):
        name, default = m.group(1), m.group(3)
        return vars_.get(name, default)
    return re.sub(r"\{\{\s*(\w+)\s*(\|\s*default\('([^']*)'\))?\s*\}\}", sub, str(s))

class R(dict):
    __getattr__ = dict.__getitem__

def cond(expr):
    return bool(eval(str(expr), {}, {k: R(v) for k, v in results.items()}))

status = 0
for t in tasks:
    name = t["name"]
    if "when" in t and not cond(t["when"]):
        print("skipped:", name)
        continue
    argv = [render(a) for a in t["ansible.builtin.command"]["argv"]]
    p = subprocess.run(argv, capture_output=True, text=True)
    res = {"rc": p.returncode, "stdout": p.stdout, "stderr": p.stderr}
    if "register" in t:
        results[t["register"]] = res
    failed = cond(t["failed_when"]) if "failed_when" in t else p.returncode != 0
    changed = cond(t["changed_when"]) if "changed_when" in t else True
    print("failed:" if failed else ("changed:" if changed else "ok:"), name)
    if failed:
        status = 2
        print(p.stdout, p.stderr)
sys.exit(status)
EOP
HVCLOCK_SYSROOT=$T/guest $PY "$T/play.py" "$TOP/grub/ansible-task.yml" "$HVCLOCK" >"$T/a1" 2>&1
rc=$?
[ "$rc" = 0 ] && pass "ansible: first play succeeds" || { fail "ansible: first play exit $rc"; cat "$T/a1"; }
contains "$T/a1" "^changed: Check the boot configuration" "ansible: --check reports changed (rc 1)"
contains "$T/a1" "^changed: Apply the hvclock" "ansible: --apply runs"
cmp -s "$T/guest/boot/grub/grub.conf" "$EXP" && pass "ansible: grub.conf patched as expected" || fail "ansible: grub.conf not as expected"
HVCLOCK_SYSROOT=$T/guest $PY "$T/play.py" "$TOP/grub/ansible-task.yml" "$HVCLOCK" >"$T/a2" 2>&1
contains "$T/a2" "^ok: Check the boot configuration" "ansible: second play: check not changed (rc 0)"
contains "$T/a2" "^skipped: Apply the hvclock" "ansible: second play: apply skipped"
# A broken config makes the check task fail (rc 2), not report a change.
printf 'title x\n\tkernel /vmlinuz-2.6.18-419.el5 ro a="b\n' >"$T/guest/boot/grub/grub.conf"
HVCLOCK_SYSROOT=$T/guest $PY "$T/play.py" "$TOP/grub/ansible-task.yml" "$HVCLOCK" >"$T/a3" 2>&1
contains "$T/a3" "^failed: Check the boot configuration" "ansible: an unparsable config fails the check task"
finish

"""A stand-in for DSM's package manager: runs a .spk's scripts in DSM 7's order,
with DSM's SYNOPKG_* variables, as a non-root user, inside a temporary root laid
out like a NAS:

    ROOT/volume1/@appstore/postern   package.tgz contents   (target)
    ROOT/volume1/@appdata/postern    data                   (var)
    ROOT/volume1/@appconf/postern                           (etc)
    ROOT/volume1/@apptemp/postern                           (tmp)
    ROOT/volume1/@apphome/postern                           (home)
    ROOT/var/packages/postern/{target,var,etc,tmp,home} -> the above,
                             INFO, scripts/, conf/, WIZARD_UIFILES/

Order of the scripts (Synology developer guide, "scripts"):
  install:   preinst, postinst, [prestart, start]
  upgrade:   prestop, stop (old); preupgrade (new); preuninst, postuninst (old);
             preinst, postinst, postupgrade (new); prestart, start (new)
  uninstall: prestop, stop, preuninst, postuninst
"""
import shutil
import subprocess
import tarfile
import io
from pathlib import Path

from spktest import DSM_PLATFORM, EMULATOR, give_to_test_user, user_prefix

PKG = "postern"


class ScriptFailed(AssertionError):
    pass


class FakeDSM:
    def __init__(self, base, arch):
        self.base = Path(base)
        self.arch = arch
        vol = self.base / "volume1"
        self.appstore = vol / "@appstore" / PKG
        self.appdata = vol / "@appdata" / PKG
        self.appconf = vol / "@appconf" / PKG
        self.apptemp = vol / "@apptemp" / PKG
        self.apphome = vol / "@apphome" / PKG
        self.pkgdir = self.base / "var" / "packages" / PKG
        self.target = self.pkgdir / "target"
        self.var = self.pkgdir / "var"
        self.spool = self.base / "spool"        # where DSM unpacks an incoming .spk
        self.logs = self.base / "logs"
        self.version = None
        self.history = []                        # (script, status, returncode)
        for d in (self.appdata, self.appconf, self.apphome, self.pkgdir, self.spool, self.logs):
            d.mkdir(parents=True, exist_ok=True)
        for name, real in (("var", self.appdata), ("etc", self.appconf), ("home", self.apphome)):
            (self.pkgdir / name).symlink_to(real)
        give_to_test_user(self.base)

    # --- unpacking --------------------------------------------------------------------
    def _unpack(self, spk):
        """Unpack an .spk into the spool: scripts etc. plus the payload in 'payload/'."""
        dest = self.spool / f"pkg-{len(self.history)}"
        dest.mkdir()
        with tarfile.open(spk.path, "r:") as t:
            t.extractall(dest)
        with tarfile.open(fileobj=io.BytesIO(spk.files["package.tgz"]), mode="r:gz") as t:
            t.extractall(dest / "payload")
        (dest / "package.tgz").unlink()
        give_to_test_user(dest)
        return dest

    def _place(self, unpacked):
        """What DSM does between the pre- and post-install scripts."""
        if self.appstore.exists():
            shutil.rmtree(self.appstore)
        shutil.move(str(unpacked / "payload"), str(self.appstore))
        if not self.target.is_symlink():
            self.target.symlink_to(self.appstore)
        for name in ("scripts", "conf", "WIZARD_UIFILES"):
            if (self.pkgdir / name).exists():
                shutil.rmtree(self.pkgdir / name)
            shutil.copytree(unpacked / name, self.pkgdir / name, symlinks=True)
        shutil.copy2(unpacked / "INFO", self.pkgdir / "INFO")
        # DSM creates tmp fresh for every install/upgrade
        if self.apptemp.exists():
            shutil.rmtree(self.apptemp)
        self.apptemp.mkdir(parents=True)
        if not (self.pkgdir / "tmp").is_symlink():
            (self.pkgdir / "tmp").symlink_to(self.apptemp)
        give_to_test_user(self.base)

    def _remove_target(self):
        if self.appstore.exists():
            shutil.rmtree(self.appstore)
        for name in ("target", "tmp"):
            if (self.pkgdir / name).is_symlink():
                (self.pkgdir / name).unlink()
        for name in ("scripts", "conf", "WIZARD_UIFILES", "INFO"):
            p = self.pkgdir / name
            if p.is_dir():
                shutil.rmtree(p)
            elif p.exists():
                p.unlink()
        if self.apptemp.exists():
            shutil.rmtree(self.apptemp)

    # --- running scripts ----------------------------------------------------------------
    def env(self, status, version, old_version=None, inst_dir=None, wizard=None):
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "LANG": "C.UTF-8",
            "HOME": str(self.apphome),
            "SYNOPKG_PKGNAME": PKG,
            "SYNOPKG_PKGVER": version,
            "SYNOPKG_PKGDEST": str(self.target),
            "SYNOPKG_PKGDEST_VOL": str(self.base / "volume1"),
            "SYNOPKG_PKGVAR": str(self.var),
            "SYNOPKG_PKGTMP": str(self.pkgdir / "tmp"),
            "SYNOPKG_PKGHOME": str(self.pkgdir / "home"),
            "SYNOPKG_PKGPORT": "2443",
            "SYNOPKG_PKG_STATUS": status,
            "SYNOPKG_DSM_LANGUAGE": "enu",
            "SYNOPKG_DSM_VERSION_MAJOR": "7",
            "SYNOPKG_DSM_VERSION_MINOR": "1",
            "SYNOPKG_DSM_VERSION_BUILD": "42661",
            "SYNOPKG_DSM_ARCH": DSM_PLATFORM[self.arch],
            "SYNOPKG_USERNAME": "admin",
        }
        if old_version:
            env["SYNOPKG_OLD_PKGVER"] = old_version
        if inst_dir:
            env["SYNOPKG_PKGINST_TEMP_DIR"] = str(inst_dir)
            env["SYNOPKG_TEMP_UPGRADE_FOLDER"] = str(self.spool / "upgrade")
            (self.spool / "upgrade").mkdir(exist_ok=True)
            give_to_test_user(self.spool / "upgrade")
        if EMULATOR[self.arch]:
            env["POSTERN_EMULATOR"] = EMULATOR[self.arch]
        env.update(wizard or {})
        return env

    def run(self, script_dir, script, args=(), status="", version=None, check=True, **kw):
        """Runs one package script as DSM would; returns (returncode, text for the user)."""
        n = len(self.history)
        logfile = self.logs / f"{n:02d}-{script}{'-' + args[0] if args else ''}.log"
        logfile.touch()
        give_to_test_user(logfile)
        env = self.env(status, version or self.version, **kw)
        env["SYNOPKG_TEMP_LOGFILE"] = str(logfile)
        cmd = user_prefix() + [str(Path(script_dir) / script), *args]
        r = subprocess.run(cmd, env=env, cwd="/", capture_output=True, text=True, timeout=180)
        self.history.append((script + (" " + args[0] if args else ""), status, r.returncode))
        user_text = logfile.read_text()
        if r.returncode != 0 and not user_text.strip():
            # a failure the user would see without any explanation is a bug in itself
            user_text = f"<NO MESSAGE FOR THE USER> stderr: {r.stderr}"
        if check and r.returncode != 0:
            raise ScriptFailed(f"{script} {' '.join(args)} exited {r.returncode}\n"
                               f"user message: {user_text}\nstderr: {r.stderr}\nstdout: {r.stdout}")
        self.last_stderr = r.stderr
        return r.returncode, user_text

    def scripts(self):
        return self.pkgdir / "scripts"

    def ctl(self, verb, status="", check=True):
        return self.run(self.scripts(), "start-stop-status", (verb,), status=status, check=check)

    # --- DSM operations ------------------------------------------------------------------
    def install(self, spk, wizard, start=True):
        new = self._unpack(spk)
        version = spk.info["version"]
        kw = dict(status="INSTALL", version=version, inst_dir=new / "payload", wizard=wizard)
        rc, msg = self.run(new / "scripts", "preinst", check=False, **kw)
        if rc != 0:
            shutil.rmtree(new)
            return rc, msg
        self._place(new)
        self.version = version
        _, msg = self.run(self.scripts(), "postinst", **kw)
        if start:
            self.start("INSTALL")
        return 0, msg

    def start(self, status="START"):
        self.ctl("prestart", status)
        return self.ctl("start", status)

    def stop(self, status="STOP"):
        self.ctl("prestop", status)
        return self.ctl("stop", status)

    def status(self):
        return self.ctl("status", check=False)[0]

    def upgrade(self, spk, start=True):
        old_version = self.version
        version = spk.info["version"]
        was_running = self.status() == 0
        if was_running:
            self.stop("UPGRADE")
        new = self._unpack(spk)
        kw = dict(status="UPGRADE", old_version=old_version, inst_dir=new / "payload")
        self.run(new / "scripts", "preupgrade", version=version, **kw)
        self.run(self.scripts(), "preuninst", version=version, **kw)
        self.run(self.scripts(), "postuninst", version=version, **kw)
        self._place(new)
        self.version = version
        self.run(self.scripts(), "preinst", version=version, **kw)
        self.run(self.scripts(), "postinst", version=version, **kw)
        _, msg = self.run(self.scripts(), "postupgrade", version=version, **kw)
        if start and was_running:
            self.start("UPGRADE")
        return msg

    def uninstall(self, keep_data):
        wizard = {"wizard_keep_data": "true" if keep_data else "false",
                  "wizard_erase_data": "false" if keep_data else "true"}
        if self.status() == 0:
            self.stop("UNINSTALL")
        self.run(self.scripts(), "preuninst", status="UNINSTALL", wizard=wizard)
        scripts_copy = self.spool / "uninstall-scripts"
        if scripts_copy.exists():
            shutil.rmtree(scripts_copy)
        shutil.copytree(self.scripts(), scripts_copy)
        self._remove_target()
        # postuninst runs after the package files are gone (DSM keeps the script)
        _, msg = self.run(scripts_copy, "postuninst", status="UNINSTALL", wizard=wizard)
        self.version = None
        return msg

    # --- the package's own CLI, as the package user -------------------------------------
    def cli(self, verb, *args, input=None, check=True):
        env = self.env("", self.version or "0")
        cmd = user_prefix() + [str(self.target / "bin" / "postern"), verb, "--data-dir",
                               str(self.var), *args]
        r = subprocess.run(cmd, env=env, cwd="/", input=input, capture_output=True, text=True,
                           timeout=120)
        if check and r.returncode != 0:
            raise AssertionError(f"postern {verb} {' '.join(args)}: exit {r.returncode}: {r.stderr}")
        return r

    def pid(self):
        p = self.var / "postern.pid"
        return int(p.read_text()) if p.exists() else None

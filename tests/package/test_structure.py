"""Structure of each .spk: what DSM 7 checks at install, and what our own
scripts and launcher rely on.  Read from the built archives only."""
import configparser
import hashlib
import json
import re
import struct
import subprocess
import tempfile
from pathlib import Path

import pytest

from spktest import ARCHES, ELF_MACHINE, LISTENERS, LOADER, ROOT, Spk, spk_path

PLATFORMS = {
    "x86_64": set("apollolake avoton braswell broadwell broadwellnk broadwellnkv2 broadwellntb "
                  "broadwellntbap bromolow cedarview coffeelake denverton epyc7002 epyc7003 geminilake "
                  "geminilakenk grantley icelaked kvmx64 purley r1000 r1000nk skylaked v1000 "
                  "v1000nk".split()),
    "aarch64": {"rtd1296", "rtd1619", "rtd1619b", "armada37xx"},
    "armv7": {"alpine", "alpine4k", "armada38x", "monaco"},
}
TOP_LEVEL_ORDER = ["package.tgz", "INFO"]
TOP_LEVEL = {"package.tgz", "INFO", "scripts", "conf", "WIZARD_UIFILES",
             "PACKAGE_ICON.PNG", "PACKAGE_ICON_256.PNG", "LICENSE"}
SCRIPTS = ["preinst", "postinst", "preuninst", "postuninst", "preupgrade", "postupgrade",
           "start-stop-status"]
MAX_SPK = 15 * 1024 * 1024


# --- archive ---------------------------------------------------------------------------

def test_spk_is_plain_tar_with_package_and_info_first(spk):
    raw = spk.path.read_bytes()
    assert raw[:2] != b"\x1f\x8b", "the .spk must be an uncompressed tar"
    # GNU tar header magic ("ustar  \0"), not a pax/POSIX header DSM may not expect
    assert raw[257:265] == b"ustar  \x00", raw[257:265]
    names = [m.name for m in spk.members]
    assert names[:2] == TOP_LEVEL_ORDER, names[:4]
    tops = {n.split("/")[0] for n in names}
    assert tops == TOP_LEVEL, f"unexpected or missing top-level entries: {tops ^ TOP_LEVEL}"
    for m in spk.members:
        assert not m.name.startswith(("./", "/")), m.name
        assert (m.uid, m.gid) == (0, 0), f"{m.name} is owned by {m.uid}:{m.gid}, want root"


def test_spk_size_within_budget(spk):
    size = spk.path.stat().st_size
    assert size <= MAX_SPK, f"{spk.path.name} is {size / 1e6:.1f} MB, budget 15 MB"


def test_package_tgz_has_relative_root_owned_paths(spk):
    for name, m in spk.payload_members.items():
        assert not name.startswith(("./", "/", "target/")), name
        assert (m.uid, m.gid) == (0, 0), name


# --- INFO ----------------------------------------------------------------------------------

def test_info_fields(spk):
    info = spk.info
    for key in ("package", "version", "os_min_ver", "description", "arch", "maintainer",
                "displayname", "dsmuidir", "dsmappname", "adminport", "adminprotocol",
                "install_conflict_packages", "checksum"):
        assert info.get(key), f"INFO lacks {key}"
    assert info["package"] == "postern"
    assert re.fullmatch(r"\d+(\.\d+)*-\d+", info["version"]), \
        f"version {info['version']!r} must be numeric parts only (DSM 7 rejects letters)"
    assert info["os_min_ver"] == "7.0-40000"
    assert "thirdparty" not in info and "firmware" not in info, "obsolete INFO keys"
    conflicts = set(info["install_conflict_packages"].split(":"))
    assert {"MailPlus-Server", "MailServer"} <= conflicts


def test_info_translations(spk):
    info = spk.info
    for lang in ("fre", "jpn"):
        for key in ("description", "displayname"):
            text = info.get(f"{key}_{lang}", "")
            assert text and text != info[key], f"{key}_{lang} missing or untranslated"
    assert re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", info["description_jpn"]), "no Japanese text"


def test_info_arch_is_the_explicit_platform_list(spk):
    assert set(spk.info["arch"].split()) == PLATFORMS[spk.arch]


def test_info_checksum_and_extractsize(spk):
    assert spk.info["checksum"] == hashlib.md5(spk.files["package.tgz"]).hexdigest()
    unpacked_kb = sum(len(b) for b in spk.payload.values()) / 1024
    assert unpacked_kb <= int(spk.info["extractsize"]) <= unpacked_kb * 1.2 + 64


def test_info_carries_every_line_of_the_top_level_info(spk):
    wanted = [l for l in (ROOT / "INFO").read_text(encoding="utf-8").splitlines()
              if l.strip() and not l.startswith("#")]
    have = spk.files["INFO"].decode("utf-8").splitlines()
    for line in wanted:
        assert line in have, f"built INFO lost {line!r}"


def test_same_version_for_every_architecture():
    versions = {a: Spk(a, spk_path(a)).info["version"] for a in ARCHES}
    assert len(set(versions.values())) == 1, versions


# --- conf/, JSON files -------------------------------------------------------------------------

def json_file(spk, name, payload=False):
    raw = (spk.payload if payload else spk.files)[name]
    try:
        return json.loads(raw.decode("utf-8"))
    except ValueError as e:
        pytest.fail(f"{name} is not valid JSON: {e}")


def test_json_files_are_valid(spk):
    names = [n for n in spk.files if n.startswith(("conf/", "WIZARD_UIFILES/"))
             and spk.files[n] is not None]
    assert {"conf/privilege", "conf/resource", "WIZARD_UIFILES/install_uifile",
            "WIZARD_UIFILES/uninstall_uifile"} <= set(names)
    for n in names:
        json_file(spk, n)
    json_file(spk, "ui/config", payload=True)


def test_privilege_runs_as_package_user_only(spk):
    priv = json_file(spk, "conf/privilege")
    assert priv["defaults"]["run-as"] == "package"
    # DSM refuses unsigned packages that ask for root or capabilities
    text = spk.files["conf/privilege"].decode()
    assert "root" not in text and "capabilities" not in text and "ctrl-script" not in text


def test_resource_port_config_points_at_the_shipped_sc_file(spk):
    res = json_file(spk, "conf/resource")
    sc = res["port-config"]["protocol-file"]
    assert sc in spk.payload, f"{sc} is not in package.tgz"
    assert sc.endswith("postern.sc")


def parse_sc(spk):
    text = spk.payload[json_file(spk, "conf/resource")["port-config"]["protocol-file"]].decode()
    cp = configparser.ConfigParser(interpolation=None)
    cp.read_string(text)
    return cp


def test_sc_file_declares_every_listener_with_port_forwarding(spk):
    cp = parse_sc(spk)
    by_port = {}
    for name in cp.sections():
        assert re.fullmatch(r"[A-Za-z0-9.\\-]+", name), f"invalid .sc section name {name!r}"
        sec = cp[name]
        for key in ("title", "desc", "dst.ports"):
            assert sec.get(key, "").strip('"'), f"[{name}] lacks {key}"
        assert sec.get("port_forward") == '"yes"', f"[{name}] does not offer port forwarding"
        m = re.fullmatch(r'"(\d+)/tcp"', sec["dst.ports"])
        assert m, f"[{name}] dst.ports {sec['dst.ports']}"
        by_port[int(m.group(1))] = name
    for service, port in LISTENERS.items():
        assert port in by_port, f"{service} (port {port}) is not declared in the .sc file"
        assert by_port[port].endswith(service), (service, by_port[port])
    assert len(cp.sections()) == len(LISTENERS)
    for port in by_port:
        assert port >= 1024, "DSM 7 packages cannot bind ports below 1024"


def test_admin_port_agrees_in_info_sc_and_desktop_entry(spk):
    ui = json_file(spk, "ui/config", payload=True)
    [(app_id, entry)] = ui[".url"].items()
    assert app_id == spk.info["dsmappname"]
    assert spk.info["dsmuidir"] == "ui"
    assert entry["type"] == "url"
    assert entry["port"] == spk.info["adminport"] == str(LISTENERS["admin"])
    assert entry["protocol"] == spk.info["adminprotocol"] == "https"
    for key in ("title", "icon"):
        assert entry.get(key)


# --- scripts --------------------------------------------------------------------------------

def test_scripts_present_executable_and_strict(spk):
    for s in SCRIPTS:
        name = f"scripts/{s}"
        assert name in spk.files, f"{name} missing"
        assert spk.member(name).mode & 0o111 == 0o111, f"{name} is not executable"
        text = spk.files[name].decode()
        assert text.startswith("#!/bin/bash\n"), f"{name}: want #!/bin/bash"
        assert "set -euo pipefail" in text, f"{name}: no 'set -euo pipefail'"
    with tempfile.TemporaryDirectory() as d:
        for name, data in spk.files.items():
            if name.startswith("scripts/") and data is not None:
                p = Path(d) / Path(name).name
                p.write_bytes(data)
                r = subprocess.run(["bash", "-n", str(p)], capture_output=True, text=True)
                assert r.returncode == 0, f"{name}: {r.stderr}"


def test_wizard_keys_used_by_scripts_are_defined(spk):
    def keys(node):
        if isinstance(node, dict):
            if "key" in node:
                yield node["key"]
            for v in node.values():
                yield from keys(v)
        elif isinstance(node, list):
            for v in node:
                yield from keys(v)
    install = set(keys(json_file(spk, "WIZARD_UIFILES/install_uifile")))
    uninstall = set(keys(json_file(spk, "WIZARD_UIFILES/uninstall_uifile")))
    assert {"wizard_domain", "wizard_hostname", "wizard_admin_password"} <= install
    assert {"wizard_keep_data", "wizard_erase_data"} == uninstall
    used = set()
    for name, data in spk.files.items():
        if name.startswith("scripts/") and data:
            used |= set(re.findall(r"\bwizard_[a-z_]+", data.decode()))
    assert used, "the scripts use no wizard answer at all"
    assert used <= install | uninstall, f"undefined wizard keys: {used - install - uninstall}"


def test_install_wizard_validates_its_answers(spk):
    wiz = json.dumps(json_file(spk, "WIZARD_UIFILES/install_uifile"))
    items = {}
    for step in json.loads(wiz):
        for item in step["items"]:
            for sub in item.get("subitems", []):
                items[sub["key"]] = (item.get("type"), sub)
    for key in ("wizard_domain", "wizard_hostname"):
        v = items[key][1]["validator"]
        assert v["allowBlank"] is False
        expr = v["regex"]["expr"]
        rx = re.compile(expr.strip("/"))
        assert rx.fullmatch("example.com") and rx.fullmatch("mail.example.co.uk")
        assert not rx.fullmatch("exa mple.com") and not rx.fullmatch("localhost")
    kind, pw = items["wizard_admin_password"]
    assert kind == "password" and pw["validator"]["minLength"] >= 10
    singles = [i for s in json_file(spk, "WIZARD_UIFILES/uninstall_uifile") for i in s["items"]
               if i.get("type") == "singleselect"]
    [choice] = singles
    defaults = {s["key"]: s.get("defaultValue", False) for s in choice["subitems"]}
    assert defaults == {"wizard_keep_data": True, "wizard_erase_data": False}, \
        "keeping the data must be the default"


# --- icons ------------------------------------------------------------------------------------

def png_size(data):
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_icons(spk):
    assert png_size(spk.files["PACKAGE_ICON.PNG"]) == (64, 64)
    assert png_size(spk.files["PACKAGE_ICON_256.PNG"]) == (256, 256)
    entry = next(iter(json_file(spk, "ui/config", payload=True)[".url"].values()))
    for size in (16, 24, 32, 48, 64, 72, 256):
        name = "ui/" + entry["icon"].replace("{0}", str(size))
        assert name in spk.payload, f"desktop icon {name} missing"
        assert png_size(spk.payload[name]) == (size, size)


def test_license_is_small(spk):
    assert 0 < len(spk.files["LICENSE"]) < 1_000_000


# --- payload: bundled runtime -----------------------------------------------------------------------

def elf_info(data):
    """(e_machine, section names) of an ELF image."""
    assert data[:4] == b"\x7fELF", "not an ELF file"
    is64 = data[4] == 2
    end = "<" if data[5] == 1 else ">"
    machine = struct.unpack(end + "H", data[18:20])[0]
    if is64:
        shoff, = struct.unpack(end + "Q", data[0x28:0x30])
        shentsize, shnum, shstrndx = struct.unpack(end + "HHH", data[0x3A:0x40])
    else:
        shoff, = struct.unpack(end + "I", data[0x20:0x24])
        shentsize, shnum, shstrndx = struct.unpack(end + "HHH", data[0x2E:0x34])
    names = []
    if shoff and shnum:
        def sh(i):
            off = shoff + i * shentsize
            if is64:
                name, _t, _f, _a, offset, size = struct.unpack(end + "IIQQQQ", data[off:off + 40])
            else:
                name, _t, _f, _a, offset, size = struct.unpack(end + "IIIIII", data[off:off + 24])
            return name, offset, size
        _, stroff, strsize = sh(shstrndx)
        strtab = data[stroff:stroff + strsize]
        for i in range(shnum):
            n = sh(i)[0]
            names.append(strtab[n:strtab.index(b"\0", n)].decode())
    return machine, names


@pytest.fixture(scope="module")
def unpacked(spk, tmp_path_factory):
    from spktest import extract_payload
    return extract_payload(spk, tmp_path_factory.mktemp(f"payload-{spk.arch}"))


def test_program_is_stripped_and_for_the_right_cpu(spk):
    machine, sections = elf_info(spk.payload["libexec/postern"])
    assert machine == ELF_MACHINE[spk.arch]
    assert ".symtab" not in sections and ".debug_info" not in sections, "libexec/postern is not stripped"
    assert spk.payload_members["libexec/postern"].mode & 0o111


def test_launcher_uses_the_bundled_loader(spk):
    text = spk.payload["bin/postern"].decode()
    assert spk.payload_members["bin/postern"].mode & 0o111
    assert "@LOADER@" not in text
    assert f'"$root/lib/{LOADER[spk.arch]}" --inhibit-cache --library-path "$root/lib"' in text
    assert f"lib/{LOADER[spk.arch]}" in spk.payload


def needed(path):
    out = subprocess.run(["readelf", "-d", "-W", str(path)], capture_output=True, text=True,
                         check=True).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def test_every_needed_library_is_bundled(spk, unpacked):
    lib = unpacked / "lib"
    elves = [unpacked / "libexec" / "postern"] + sorted(p for p in lib.iterdir() if not p.is_symlink())
    missing = []
    for e in elves:
        machine, _ = elf_info(e.read_bytes())
        assert machine == ELF_MACHINE[spk.arch], f"{e.name} is for another CPU"
        for n in needed(e):
            if not (lib / n).is_file():
                missing.append(f"{n} (needed by {e.name})")
    assert not missing, "not in target/lib: " + ", ".join(missing)
    # glibc itself and the C++ runtime travel with the package (DSM 7.1 has glibc 2.26)
    for n in ("libc.so.6", "libstdc++.so.6", "libgcc_s.so.1", LOADER[spk.arch]):
        assert (lib / n).is_file(), f"{n} not bundled"
    # CivetWeb dlopen()s OpenSSL by the unversioned names: libcrypto.so links to the bundled
    # library; libssl.so is Postern's OpenSSL 3 adapter (webapp-api/openssl_shim), which
    # carries the soname libssl.so and needs the bundled libssl.so.3.
    assert (lib / "libcrypto.so").is_symlink() and (lib / "libcrypto.so").resolve().parent == lib.resolve() \
        and (lib / "libcrypto.so").resolve().is_file(), "lib/libcrypto.so must link to a bundled library"
    shim = lib / "libssl.so"
    assert shim.is_file() and not shim.is_symlink(), "lib/libssl.so must be the OpenSSL adapter"
    dynamic = subprocess.run(["readelf", "-d", "-W", str(shim)], capture_output=True, text=True, check=True).stdout
    assert "Library soname: [libssl.so]" in dynamic and "libssl.so.3" in needed(shim)


def glibc_versions(data):
    return {tuple(map(int, v.split("."))) for v in re.findall(rb"GLIBC_(\d+\.\d+(?:\.\d+)?)", data)
            for v in [v.decode()]}


def test_bundled_glibc_covers_what_the_binaries_need(spk):
    libc = spk.payload["lib/libc.so.6"]
    provided = max(glibc_versions(libc))
    assert provided >= (2, 36), f"bundled glibc is {provided}"
    for name, data in spk.payload.items():
        if name.startswith(("lib/", "libexec/")) and data[:4] == b"\x7fELF":
            need = glibc_versions(data)
            if need:
                assert max(need) <= provided, f"{name} needs GLIBC_{max(need)}"


# --- opt-in helper for the standard ports -------------------------------------------------------

def test_privileged_ports_helper_maps_standard_ports_to_the_listeners(spk, tmp_path):
    script = tmp_path / "privileged-ports.sh"
    script.write_bytes(spk.payload["share/postern/privileged-ports.sh"])
    assert spk.payload_members["share/postern/privileged-ports.sh"].mode & 0o111
    env = {"PATH": "/usr/bin:/bin", "POSTERN_PKG_ROOT": str(tmp_path / "no-such-package")}
    r = subprocess.run(["bash", str(script), "enable", "--dry-run"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    rules = re.findall(r"-A POSTERN_PORTS -p tcp --dport (\d+) -j REDIRECT --to-ports (\d+)", r.stdout)
    assert dict((int(a), int(b)) for a, b in rules) == {
        25: LISTENERS["smtp"], 465: LISTENERS["submissions"], 587: LISTENERS["submission"],
        143: LISTENERS["imap"], 993: LISTENERS["imaps"]}
    assert "-A PREROUTING -j POSTERN_PORTS" in r.stdout
    r = subprocess.run(["bash", str(script), "disable", "--dry-run"], env=env,
                       capture_output=True, text=True)
    assert r.returncode == 0 and "-X POSTERN_PORTS" in r.stdout and "-D PREROUTING" in r.stdout
    r = subprocess.run(["bash", str(script), "nonsense"], env=env, capture_output=True, text=True)
    assert r.returncode != 0


def test_ca_certificates_are_shipped_and_used(spk):
    bundle = spk.payload.get("share/postern/ca-certificates.crt", b"")
    assert bundle.count(b"-----BEGIN CERTIFICATE-----") > 100, "CA bundle missing or tiny"
    assert "SSL_CERT_FILE=${SSL_CERT_FILE:-$root/share/postern/ca-certificates.crt}" in \
        spk.payload["bin/postern"].decode()


def test_translated_wizards_match_the_english_ones(spk):
    """Same keys, types and validators; only the texts differ (and are translated)."""
    def skeleton(node):
        if isinstance(node, dict):
            return {k: skeleton(v) for k, v in node.items() if k not in ("desc", "step_title", "errorText")}
        if isinstance(node, list):
            return [skeleton(v) for v in node]
        return node

    def texts(node):
        if isinstance(node, dict):
            for k, v in node.items():
                if k in ("desc", "step_title", "errorText"):
                    yield v
                else:
                    yield from texts(v)
        elif isinstance(node, list):
            for v in node:
                yield from texts(v)

    for base in ("install_uifile", "uninstall_uifile"):
        en = json_file(spk, f"WIZARD_UIFILES/{base}")
        for lang in ("fre", "jpn"):
            name = f"WIZARD_UIFILES/{base}_{lang}"
            assert name in spk.files, f"{name} missing"
            other = json_file(spk, name)
            assert skeleton(other) == skeleton(en), f"{name} differs from {base} beyond its texts"
            untranslated = [a for a, b in zip(texts(en), texts(other)) if a == b and a != "Ports"]
            assert not untranslated, f"{name}: untranslated {untranslated}"


def test_launcher_works_through_a_symlink_and_ignores_ld_library_path(spk, unpacked, tmp_path):
    """Admins may link bin/postern elsewhere; a stray LD_LIBRARY_PATH (DSM tools
    set some) must not pull DSM's libraries into the process."""
    from spktest import EMULATOR, emulator_available
    emulator_available(spk.arch)
    link = tmp_path / "elsewhere" / "postern"
    link.parent.mkdir()
    link.symlink_to(unpacked / "bin" / "postern")
    # A real library under a wrong name: harmless for the shell that runs the
    # launcher, fatal for postern if its loader looked there.
    import glob
    zlib = sorted(glob.glob("/lib/x86_64-linux-gnu/libz.so.1*") + glob.glob("/usr/lib/x86_64-linux-gnu/libz.so.1*"))[0]
    bogus = tmp_path / "bogus-libs"
    bogus.mkdir()
    for name in ("libsqlite3.so.0", "libssl.so.3", "libstdc++.so.6"):
        (bogus / name).write_bytes(Path(zlib).read_bytes())
    env = {"PATH": "/usr/bin:/bin", "LD_LIBRARY_PATH": str(bogus), "LD_PRELOAD": zlib}
    if EMULATOR[spk.arch]:
        env["POSTERN_EMULATOR"] = EMULATOR[spk.arch]
    r = subprocess.run([str(link), "migrate", "--data-dir", str(tmp_path / "data")], env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "ld.so" not in r.stderr and "preload" not in r.stderr, r.stderr
    assert (tmp_path / "data" / "postern.db").is_file()


def test_control_panel_is_shipped(spk):
    """The browser applet (scripts/build-ui.sh) sits beside the program: share/ui/."""
    index = spk.payload.get("share/ui/index.html")
    assert index is not None, "share/ui/index.html missing: was the control panel built?"
    html = index.decode()
    assets = [name for name in spk.payload if name.startswith("share/ui/assets/")]
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets)
    for a in assets:
        assert a[len("share/ui"):] in html or a.endswith(".svg"), f"{a} not referenced by index.html"
    assert "<script>" not in html and "style=" not in html  # CSP default-src 'self'

"""The build tooling itself: the sysroots' package list, the reading of the
machine's apt sources, and the rule that no file names a mirror host."""
import re
import subprocess
import textwrap

from spktest import ROOT

APT_SOURCES = ROOT / "toolchains" / "apt-sources.py"


def sysroot_packages():
    text = (ROOT / "toolchains" / "make-sysroot.sh").read_text()
    body = re.search(r"^packages=\(\n(.*?)^\)", text, re.S | re.M).group(1)
    return {w for line in body.splitlines() for w in line.split("#")[0].split()}


def test_sysroots_have_every_library_the_native_build_installs():
    """scripts/deps.sh lists what the native build links against; a -dev package
    added there but not to the sysroots breaks only the cross builds."""
    deps = (ROOT / "scripts" / "deps.sh").read_text()
    m = re.search(r"build_pkgs=\((.*?)\)", deps, re.S)
    assert m, "scripts/deps.sh has no build_pkgs=(...) list"
    native = {p for p in m.group(1).split() if p.endswith("-dev")}
    test_only = {"libgtest-dev"}
    missing = native - test_only - sysroot_packages()
    assert not missing, f"add to toolchains/make-sysroot.sh: {sorted(missing)}"


def run_apt_sources(root, *args):
    return subprocess.run(["/usr/bin/python3", str(APT_SOURCES), "--root", str(root), *args],
                          capture_output=True, text=True)


def test_apt_sources_reads_deb822_and_one_line_files(tmp_path):
    d = tmp_path / "etc" / "apt" / "sources.list.d"
    d.mkdir(parents=True)
    (d / "debian.sources").write_text(textwrap.dedent("""\
        Types: deb deb-src
        # a comment
        URIs: http://mirror.invalid/debian
        Suites: bookworm bookworm-updates
        Components: main contrib
        Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

        Types: deb
        URIs: http://mirror.invalid/debian-security
        Suites: bookworm-security
        Components: main
        """))
    (d / "other.sources").write_text(textwrap.dedent("""\
        Types: deb
        URIs: http://vendor.invalid/apt
        Suites: nodistro
        Components: main

        Types: deb
        URIs: http://disabled.invalid/debian
        Suites: bookworm
        Components: main
        Enabled: no
        """))
    (tmp_path / "etc" / "apt" / "sources.list").write_text(
        "deb [arch=amd64] http://oneline.invalid/debian bookworm main  # trailing comment\n"
        "deb http://oneline.invalid/debian trixie main\n")
    (d / "ignored.sources.disabled").write_text("Types: deb\nURIs: http://x.invalid\nSuites: bookworm\nComponents: main\n")

    r = run_apt_sources(tmp_path)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines == [
        "deb http://oneline.invalid/debian bookworm main",
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.invalid/debian bookworm main",
        "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.invalid/debian bookworm-updates main",
        "deb http://mirror.invalid/debian-security bookworm-security main",
    ]
    r = run_apt_sources(tmp_path, "--no-security")
    assert "bookworm-security" not in r.stdout and "bookworm-updates" in r.stdout


def test_apt_sources_fails_clearly_without_a_bookworm_entry(tmp_path):
    (tmp_path / "etc" / "apt").mkdir(parents=True)
    (tmp_path / "etc" / "apt" / "sources.list").write_text("deb http://x.invalid/debian trixie main\n")
    r = run_apt_sources(tmp_path)
    assert r.returncode != 0 and "no 'bookworm' main entry" in r.stderr


def test_no_file_names_a_mirror_host():
    """Mirrors come from the machine's apt configuration at run time."""
    hosts = re.compile(r"(deb|security|ftp|snapshot|archive)\.debian\.org|archive\.ubuntu\.com|"
                       r"registry\.npmjs\.org|pypi\.org|files\.pythonhosted")
    files = [ROOT / "INFO"] + [p for d in ("toolchains", "package", "tests/package")
                               for p in (ROOT / d).rglob("*") if p.is_file()]
    offenders = [str(p.relative_to(ROOT)) for p in files
                 if p.suffix not in (".png", ".PNG", ".pyc") and hosts.search(p.read_text(errors="replace"))
                 and p.name != "test_build_tools.py"]
    assert not offenders, f"mirror host named in {offenders}"


def test_toolchain_files_point_each_compiler_at_its_sysroot():
    for name, triplet, debarch in (("x86_64-linux-gnu", "x86_64-linux-gnu", "amd64"),
                                   ("aarch64-linux-gnu", "aarch64-linux-gnu", "arm64"),
                                   ("arm-linux-gnueabihf", "arm-linux-gnueabihf", "armhf")):
        text = (ROOT / "toolchains" / f"{name}.cmake").read_text()
        assert f"set(POSTERN_TRIPLET {triplet})" in text
        assert f"set(POSTERN_DEBARCH {debarch})" in text
        assert 'include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")' in text
    common = (ROOT / "toolchains" / "common.cmake").read_text()
    for needle in ("CMAKE_SYSROOT", "CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY",
                   "CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER", "PKG_CONFIG_SYSROOT_DIR"):
        assert needle in common


def test_shell_scripts_pass_shellcheck():
    scripts = sorted((ROOT / "package" / "scripts").iterdir()) + [
        ROOT / "package" / "payload" / "bin" / "postern",
        ROOT / "package" / "payload" / "share" / "postern" / "privileged-ports.sh",
        ROOT / "package" / "build-spks.sh",
        *sorted((ROOT / "toolchains").glob("*.sh")),
    ]
    r = subprocess.run(["shellcheck", "-x", "-s", "bash", *map(str, scripts)],
                       cwd=ROOT / "package" / "scripts", capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

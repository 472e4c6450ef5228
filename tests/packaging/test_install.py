"""The advertised library installs: `pip install '.[aws]'` into a fresh venv, then the library API
and the console script from another folder, as a user's own code would use them."""

import json
import subprocess
import venv

from tests.helpers import ROOT, cli_env

# 20-45 s (more on a busy machine): a fresh venv and a real install of pydantic-core and boto3 from the package registry
# (pip's cache makes later runs faster). Nothing less proves the package installs.
TIMEOUT = 300


def _tree(dest):
    """The repository's tracked files only (no .venv, no build leftovers), as a clean clone has."""
    files = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, files.decode().split("\0")):
        source, target = ROOT / name, dest / name
        if source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read_bytes())


def test_pip_install_with_the_aws_extra_then_use_it_from_another_folder(tmp_path):
    source, env_dir, elsewhere = tmp_path / "src", tmp_path / "venv", tmp_path / "elsewhere"
    _tree(source)
    elsewhere.mkdir()
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    environ = {k: v for k, v in cli_env().items() if k != "PYTHONPATH"}
    install = subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"{source}[aws]"],
        capture_output=True,
        text=True,
        env=environ,
        timeout=TIMEOUT,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    code = (
        "import json, voice_receipts, pathlib\n"
        "from voice_receipts import open_store, CallState\n"
        "import boto3\n"
        "root = pathlib.Path(voice_receipts.__file__).parent\n"
        "with open_store('sqlite:///r.db') as s:\n"
        "    pass\n"
        "with open_store('sqlite:///r.db', read_only=True) as s:\n"
        "    found = s.calls(limit=5)\n"
        "print(json.dumps({'file': str(root), 'typed': (root / 'py.typed').is_file(), 'calls': len(found),"
        " 'state': CallState.FAILED.value}))\n"
    )
    used = subprocess.run([python, "-c", code], cwd=elsewhere, capture_output=True, text=True, env=environ)
    assert used.returncode == 0, used.stderr
    seen = json.loads(used.stdout)
    assert seen["file"].startswith(str(env_dir)), seen  # the installed copy, not the repository's
    assert (seen["typed"], seen["calls"], seen["state"]) == (True, 0, "failed")
    script = subprocess.run(
        [env_dir / "bin" / "voice-receipts", "show", "--store", "sqlite:///r.db"],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        env=environ,
    )
    assert (script.returncode, script.stdout) == (0, "no calls in the sqlite store\n"), script.stderr
    # what was installed: the package only, never the repository's tests, deploy scripts or samples
    record = next((env_dir / "lib").glob("python3*/site-packages/voice_receipts-*.dist-info/RECORD"))
    installed = {line.split(",")[0] for line in record.read_text().splitlines()}
    assert "voice_receipts/tools/cli/__init__.py" in installed
    assert not [
        n for n in installed if n.startswith(("tests/", "deploy/", "bench/", "events/", "handler.py"))
    ]

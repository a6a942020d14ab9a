"""The in-process alembic head agrees with the subprocess nbgrader would run."""

import os
import subprocess
import sys

from autograder.grading.speedup import MIGRATIONS, alembic_head


def test_in_process_head_matches_alembic_command(tmp_path):
    ini = tmp_path / "alembic.ini"
    ini.write_text(f"[alembic]\nscript_location = {MIGRATIONS}\nsqlalchemy.url = sqlite://\n")
    scripts = os.path.dirname(sys.executable)
    env = {**os.environ, "PATH": scripts + os.pathsep + os.environ.get("PATH", "")}
    output = subprocess.run(
        ["alembic", "-c", str(ini), "heads"], capture_output=True, text=True, env=env, check=True
    ).stdout
    assert output.split()[0] == alembic_head()
